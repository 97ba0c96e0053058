"""Writes to accountability records that carry rules beyond the core ``save``: case
decisions (``cases``), funding releases and waivers (``funding``) and the review of reports
(``reporting``). Their rules that run on every save are declared as ``hooks`` in
``concord/accountability/capability.py``."""

from . import cases, funding, reporting  # noqa: F401
