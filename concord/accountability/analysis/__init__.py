"""Pure rules of accountability (no ORM): reporting cycles and the web (``reporting``, whose
names are also exported here), due-diligence cases (``cases``), conditional funding
(``funding``)."""

from .reporting import *  # noqa: F403
