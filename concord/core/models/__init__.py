"""Core records: who may see what (security), the registry, and the audit trail."""

from .audit import AuditEntry, AuditHead
from .grants import SpaceGrant
from .registry import Affiliation, Area, Country, Organisation, OrganisationName, Person
from .search import SearchEntry
from .security import (
    ApiToken,
    Classification,
    FeedSecret,
    Membership,
    Releasability,
    Role,
    ScopedModel,
    ScopedQuerySet,
    SecurityState,
    Space,
    User,
    colleagues,
    named_user_choices,
    sees,
)

__all__ = [
    "Affiliation",
    "ApiToken",
    "Area",
    "AuditEntry",
    "AuditHead",
    "Classification",
    "Country",
    "FeedSecret",
    "Membership",
    "Organisation",
    "OrganisationName",
    "Person",
    "Releasability",
    "Role",
    "ScopedModel",
    "ScopedQuerySet",
    "SearchEntry",
    "SecurityState",
    "Space",
    "SpaceGrant",
    "User",
    "colleagues",
    "named_user_choices",
    "sees",
]
