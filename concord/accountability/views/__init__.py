"""Accountability pages: the web and reporting (``reporting``), security-force units
(``units``), due-diligence cases (``cases``), conditional funding and the compliance boards
(``funding``)."""

from .cases import (  # noqa: F401
    ALLEGATIONS,
    ASSESSMENTS,
    INTERCESSIONS,
    MEASURES,
    SUPPORT_CASES,
    operation_register,
)
from .funding import (  # noqa: F401
    COMMITMENTS,
    CONDITIONS,
    FUNDING_INSTRUMENTS,
    TRANCHES,
    donor_board,
    operation_board,
)
from .reporting import *  # noqa: F403
from .reporting import (  # noqa: F401
    LINES,
    OBLIGATIONS,
    REPORTS,
    calendar,
    due,
    due_calendar,
    ics,
    operation_web,
    review,
)
from .units import COMMANDS, UNITS  # noqa: F401
