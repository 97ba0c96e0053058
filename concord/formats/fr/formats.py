# The same ISO 8601 dates and times as English (see concord/formats/__init__.py)
from concord.formats.en.formats import *  # noqa: F403
