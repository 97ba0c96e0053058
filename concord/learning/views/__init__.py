"""Learning pages: observations, lessons, their bodies, remedial actions and dispositions
(``records``); what puts lessons in front of planners (``planning``); the catalogue of
modular support (``support``)."""

from .planning import (  # noqa: F401
    action_board,
    lessons_beside_findings,
    lessons_section,
    operation_lessons,
    record_disposition,
    recurrence,
    similar,
)
from .records import (  # noqa: F401
    ACTIONS,
    BODIES,
    DISPOSITIONS,
    LESSONS,
    OBSERVATIONS,
    knowledge_managers,
    lesson_step,
    lesson_validate,
    observation_step,
    observation_unseal,
)
from .support import (  # noqa: F401
    MODULES,
    REQUESTS,
    accountability_support,
    answer,
    findings,
    support_section,
    withdraw,
)
