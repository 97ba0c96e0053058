"""The roster's records: experts and what they know (``experts``); requests on a 72-hour
clock, their shortlists and the deployments that fill them (``requests``)."""

from .experts import (  # noqa: F401
    Cefr,
    Expert,
    ExpertiseArea,
    Gender,
    Language,
    Level,
    Skill,
    Tie,
    TieKind,
    Tier,
    Unavailability,
    language_name,
    language_problem,
)
from .requests import (  # noqa: F401
    BOOKING,
    Candidate,
    CandidateState,
    ClockStep,
    Deployment,
    DeploymentState,
    ExpertRequest,
    GenderRule,
    Grade,
    LanguageNeed,
    Mode,
    RequestState,
    Requirement,
    Step,
)
