"""Writes to accountability records that carry rules beyond the core ``save``: case
decisions (``cases``), funding releases and waivers (``funding``) and the review of reports
(``reporting``). Importing this package registers their rules as save hooks (done by the
app's ``ready``)."""

from . import cases, funding, reporting  # noqa: F401
