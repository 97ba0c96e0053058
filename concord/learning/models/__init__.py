"""Learning's records: observations, lessons and what makes them learned
(``lessons``); the catalogue of modular support (``support``)."""

from .lessons import (  # noqa: F401
    ActionStatus,
    Decision,
    Disposition,
    GuidanceChange,
    KnowledgeManager,
    Lesson,
    LessonBody,
    LessonState,
    Observation,
    ObservationState,
    Phase,
    RemedialAction,
    SourceKind,
    Term,
    Theme,
    period_errors,
)
from .support import (  # noqa: F401
    ACCOUNTABILITY_AREAS,
    RequestState,
    SupportArea,
    SupportModule,
    SupportRequest,
)
