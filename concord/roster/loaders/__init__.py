"""From the database to the roster's analysis, what a reader may see: by use case, the
ranking, screening and team assignment of experts (``ranking``) and the requests' clocks,
reports and log (``history``)."""

from .history import (  # noqa: F401
    LogLine,
    clock_of,
    language_rows,
    report_rows,
    requirement_rows,
    skipped,
    step_labels,
    steps_of,
    workflow_log,
)
from .ranking import (  # noqa: F401
    Catalogue,
    Profile,
    Ranking,
    among,
    catalogue,
    expert_facts,
    matchable,
    open_requests,
    person_names,
    profiles,
    rank,
    ranked_together,
    request_facts,
    screen,
    screenings,
    team_plan,
)
