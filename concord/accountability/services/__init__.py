"""Writes to accountability records that carry rules beyond the core ``save``: case
decisions (``cases``) and funding releases and waivers (``funding``). Importing this
package registers the case rules as save hooks (done by the app's ``ready``)."""

from . import cases, funding  # noqa: F401
