"""Division-of-labour pages: the catalogue, assignments (list, fast grid, 3W import with
preview), needs and arrangements (generic list/detail/edit), an operation's mandate over
time, and the analysis screen (4W matrix, findings with reviews, per-area timeline)."""

from .analysis import area_timeline, labour_analysis, review  # noqa: F401
from .entry import batch_detail, batch_rollback, grid, import_3w  # noqa: F401
from .mandate import mandate, mandate_section  # noqa: F401
from .records import (  # noqa: F401
    ARRANGEMENTS,
    ASSIGNMENTS,
    CLASH_RULES,
    NEEDS,
    SECTOR_MAPPINGS,
    TASKS,
)
