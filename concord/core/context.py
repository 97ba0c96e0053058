"""Who is acting, through which interface: passed explicitly to every service."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

INTERFACES = ("web", "api", "cli", "import", "system")
SEALED = "sealed"  # untranslated: the audit trail's actor label of a sealed write (a code)


@dataclass(frozen=True)
class Actor:
    user: object | None
    interface: str
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    label: str = ""

    def __post_init__(self):
        if self.interface not in INTERFACES:
            raise ValueError(f"unknown interface {self.interface!r}")

    @property
    def is_system(self) -> bool:
        return self.user is None

    @property
    def display(self) -> str:
        if self.user is not None:
            return self.user.get_username()
        return self.label or "system"

    @classmethod
    def system(cls, label: str) -> Actor:
        """For seeding reference and demo data: no user, permission checks do not apply."""
        return cls(user=None, interface="system", label=f"system:{label}")  # untranslated: a code

    @classmethod
    def sealing(cls, actor: Actor) -> Actor:
        """``actor`` writing without attribution (an unattributed observation): the record and
        its audit entry name nobody, and the entry has a request id of its own (the request's
        would link it to the author's other writes). Like a system actor it passes no
        permission check: the service that seals checks ``actor``'s rights itself."""
        return cls(user=None, interface=actor.interface, label=SEALED)

    @classmethod
    def from_request(cls, request) -> Actor:
        interface = "api" if request.path.startswith("/api/") else "web"
        return cls(user=request.user, interface=interface, request_id=request_id(request))


def request_id(request) -> str:
    return getattr(request, "concord_request_id", "") or uuid.uuid4().hex


class RequestContextMiddleware:
    """Gives every request an id, echoed in a header and stored on its audit entries."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.concord_request_id = uuid.uuid4().hex
        response = self.get_response(request)
        response["X-Request-ID"] = request.concord_request_id
        return response
