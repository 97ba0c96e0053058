"""Every write of the notifications capability: follows, reading, digest preferences
(``follows``), the fan-out from the audit trail (``fanout``) and e-mail digests
(``digest``)."""

from .digest import send_digest, send_digests
from .fanout import fan_out
from .follows import follow, mark_all_read, mark_read, set_frequency, unfollow

__all__ = [
    "fan_out",
    "follow",
    "mark_all_read",
    "mark_read",
    "send_digest",
    "send_digests",
    "set_frequency",
    "unfollow",
]
