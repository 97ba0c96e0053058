"""The security model: users, memberships, spaces, and the one enforcement point.

Every record that carries information derives from :class:`ScopedModel`; its manager's
:meth:`ScopedQuerySet.visible_to` and :meth:`ScopedQuerySet.editable_by` are the only way
pages, API endpoints, exports, searches, counts and analyses read records.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from .labels import ChoiceLabels


class Classification(models.IntegerChoices):
    """After the UN information-sensitivity levels (ST/SGB/2007/6)."""

    PUBLIC = 0, _("Public")
    INTERNAL = 1, _("Internal")
    CONFIDENTIAL = 2, _("Confidential")
    STRICTLY_CONFIDENTIAL = 3, _("Strictly confidential")


class Releasability(models.TextChoices):
    OWNER = "owner", _("Owner organisation only")
    ORGANISATIONS = "organisations", _("Named organisations")
    SPACES = "spaces", _("Named coordination spaces")
    SIGNED_IN = "signed_in", _("All signed-in users")
    PUBLIC = "public", _("Public")


class Role(models.TextChoices):
    VIEWER = "viewer", _("Viewer")
    CONTRIBUTOR = "contributor", _("Contributor")
    EDITOR = "editor", _("Editor")
    MANAGER = "manager", _("Manager")


ROLE_RANK = {Role.VIEWER: 0, Role.CONTRIBUTOR: 1, Role.EDITOR: 2, Role.MANAGER: 3}


@dataclass(frozen=True)
class Principal:
    """What the enforcement point needs to know about a signed-in user, computed once."""

    user_id: int
    clearance: int
    org_ids: frozenset[int]
    space_ids: frozenset[int]
    roles: dict[int, str]
    # The visibility rule per model, built once per principal (that is, per request): the
    # rule is a Q with subqueries, costly to build and safe to reuse (filter() resolves a copy).
    rules: dict = field(default_factory=dict, compare=False, repr=False)

    def orgs_with_role(self, minimum: str) -> list[int]:
        rank = ROLE_RANK[minimum]
        return sorted(o for o, r in self.roles.items() if ROLE_RANK[r] >= rank)

    def sees(self, state: SecurityState | None) -> bool:
        return sees(self, state)


@dataclass(frozen=True)
class SecurityState:
    """A record's security at one moment: what :meth:`ScopedQuerySet.visible_to` reads,
    as plain values. The audit trail keeps one for each side of a change."""

    owner: int | None
    classification: int
    releasability: str
    organisations: frozenset[int] = frozenset()
    spaces: frozenset[int] = frozenset()
    named: frozenset[int] = frozenset()

    def as_json(self) -> dict:
        return {
            "owner": self.owner,
            "classification": self.classification,
            "releasability": self.releasability,
            "organisations": sorted(self.organisations),
            "spaces": sorted(self.spaces),
            "named": sorted(self.named),
        }

    @classmethod
    def from_json(cls, data: dict | None) -> SecurityState | None:
        if data is None:
            return None
        return cls(
            data.get("owner"),
            int(data.get("classification") or 0),
            data.get("releasability") or Releasability.OWNER,
            frozenset(data.get("organisations") or ()),
            frozenset(data.get("spaces") or ()),
            frozenset(data.get("named") or ()),
        )


def sees(principal: Principal | None, state: SecurityState | None) -> bool:
    """The rule of :meth:`ScopedQuerySet.visible_to` for one security state, in Python
    (``principal`` None: an anonymous visitor). tests/core/test_history.py checks that the two
    agree on every combination."""
    if state is None:
        return False
    if principal is None:
        return (
            state.classification == Classification.PUBLIC
            and state.releasability == Releasability.PUBLIC
        )
    if state.classification >= Classification.STRICTLY_CONFIDENTIAL:
        return (
            principal.clearance >= Classification.STRICTLY_CONFIDENTIAL
            and principal.user_id in state.named
        )
    if state.classification > principal.clearance:
        return False
    if state.releasability in (Releasability.PUBLIC, Releasability.SIGNED_IN):
        return True
    if state.owner in principal.org_ids:
        return True
    if state.releasability == Releasability.ORGANISATIONS:
        return bool(state.organisations & principal.org_ids)
    if state.releasability == Releasability.SPACES:
        return bool(state.spaces & principal.space_ids)
    return False


class User(ChoiceLabels, AbstractUser):
    """A person who signs in. People in the registry are contacts, not necessarily users.

    ``is_superuser`` marks a platform administrator: it manages accounts and spaces but gains
    no right to read records; it sees what its own memberships and clearance allow.
    """

    clearance = models.PositiveSmallIntegerField(
        _("clearance"), choices=Classification.choices, default=Classification.INTERNAL
    )
    # The interface language the user chose on the account page; empty: the browser's.
    language = models.CharField(
        _("language"), max_length=8, blank=True, default="", choices=settings.LANGUAGES
    )
    objects = UserManager()

    class Meta:
        ordering = ["username"]

    def principal(self) -> Principal:
        cached = getattr(self, "_concord_principal", None)
        if cached is not None:
            return cached
        roles = dict(Membership.objects.filter(user=self).values_list("organisation_id", "role"))
        from .grants import SpaceGrant

        now = timezone.now()
        spaces = frozenset(
            Space.organisations.through.objects.filter(organisation_id__in=roles)
            .order_by()
            .values_list("space_id", flat=True)
            .union(
                SpaceGrant.objects.filter(user_id=self.pk, starts_at__lte=now, ends_at__gt=now)
                .order_by()
                .values_list("space_id", flat=True)
            )
        )
        principal = Principal(self.pk, self.clearance, frozenset(roles), spaces, roles)
        self._concord_principal = principal
        return principal

    def forget_principal(self) -> None:
        self.__dict__.pop("_concord_principal", None)


class Membership(ChoiceLabels, models.Model):
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.VIEWER)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="uniq_membership")
        ]

    def __str__(self) -> str:
        return gettext("%(user)s — %(role)s at %(organisation)s") % {
            "user": self.user,
            "role": self.role,
            "organisation": self.organisation_id,
        }


class SpaceQuerySet(models.QuerySet):
    def visible_to(self, user) -> SpaceQuerySet:
        if not user or not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(pk__in=user.principal().space_ids)


class Space(models.Model):
    """A coordination space: a named set of organisations that share (e.g. "Mali partners")."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    organisations = models.ManyToManyField(
        "core.Organisation", related_name="spaces", blank=True, verbose_name=_("organisations")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = SpaceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("space")
        verbose_name_plural = _("spaces")

    def __str__(self) -> str:
        return self.name


def colleagues(user, keep=()) -> models.QuerySet:
    """Active users who share an organisation or a coordination space with ``user`` (``user``
    among them), and the users whose ids are in ``keep`` (those a record already names): whom
    ``user`` may name where a record names a person, such as an assessment's approver. Nobody
    for an anonymous user, nor (but ``keep``) for a platform administrator without
    memberships. Never a platform-wide list of users."""
    allowed = Q(pk__in=[k for k in keep if k is not None])
    if user is not None and user.is_authenticated:
        p = user.principal()
        orgs = set(p.org_ids) | set(
            Space.organisations.through.objects.filter(space_id__in=p.space_ids).values_list(
                "organisation_id", flat=True
            )
        )
        members = Membership.objects.filter(organisation_id__in=orgs).values("user_id")
        allowed |= Q(is_active=True, pk__in=members)
    return User.objects.filter(allowed).order_by("username")


# Whom a record may name, in words (concord.core.services refuses others with these).
NAMED_USERS_RULE = _(
    "Name only people cleared for strictly confidential records who share an organisation "
    "or a coordination space with you."
)
USER_LINK_RULE = _("Choose someone who shares an organisation or a coordination space with you.")


def named_user_choices(user, record=None) -> models.QuerySet:
    """Whom ``user`` may name on a strictly confidential record: colleagues cleared strictly
    confidential, and whoever ``record`` already names (they stay, even if ``user`` could not
    name them now). The form offers these; the API and the service accept only these."""
    cleared = colleagues(user).filter(clearance=Classification.STRICTLY_CONFIDENTIAL)
    allowed = Q(pk__in=cleared.values("pk"))
    if record is not None and record.pk is not None:
        allowed |= Q(pk__in=record.named_users.values("pk"))
    return User.objects.filter(allowed).order_by("username")


class ScopedQuerySet(models.QuerySet):
    """The one enforcement point. Every read of a scoped record goes through these methods."""

    def _through(self, field: str):
        f = self.model._meta.get_field(field)
        return f.remote_field.through, f.m2m_field_name(), f.m2m_reverse_field_name()

    def visible_to(self, user) -> ScopedQuerySet:
        if user is None or not user.is_authenticated:
            return self.filter(
                classification=Classification.PUBLIC, releasability=Releasability.PUBLIC
            )
        p = user.principal()
        rule = p.rules.get(self.model)
        if rule is None:
            rule = p.rules[self.model] = self._rule(p)
        return self.filter(rule)

    def _rule(self, p: Principal) -> Q:
        reach = Q(releasability__in=[Releasability.PUBLIC, Releasability.SIGNED_IN])
        if p.org_ids:
            orgs = sorted(p.org_ids)
            through, src, dst = self._through("shared_organisations")
            reach |= Q(owner_id__in=orgs)
            reach |= Q(releasability=Releasability.ORGANISATIONS) & Exists(
                through.objects.filter(**{src: OuterRef("pk"), f"{dst}__in": orgs})
            )
        if p.space_ids:
            through, src, dst = self._through("shared_spaces")
            reach |= Q(releasability=Releasability.SPACES) & Exists(
                through.objects.filter(**{src: OuterRef("pk"), f"{dst}__in": sorted(p.space_ids)})
            )
        ceiling = min(p.clearance, Classification.CONFIDENTIAL)
        rule = Q(classification__lte=ceiling) & reach
        if p.clearance >= Classification.STRICTLY_CONFIDENTIAL:
            through, src, dst = self._through("named_users")
            rule |= Q(classification=Classification.STRICTLY_CONFIDENTIAL) & Exists(
                through.objects.filter(**{src: OuterRef("pk"), dst: p.user_id})
            )
        return rule

    def editable_by(self, user) -> ScopedQuerySet:
        """Editors and managers edit their organisation's records; contributors their own."""
        if user is None or not user.is_authenticated:
            return self.none()
        p = user.principal()
        rule = Q(owner_id__in=p.orgs_with_role(Role.EDITOR)) | Q(
            owner_id__in=p.orgs_with_role(Role.CONTRIBUTOR), created_by_id=p.user_id
        )
        return self.visible_to(user).filter(rule)

    def deletable_by(self, user) -> ScopedQuerySet:
        if user is None or not user.is_authenticated:
            return self.none()
        return self.visible_to(user).filter(
            owner_id__in=user.principal().orgs_with_role(Role.MANAGER)
        )


# The labels of the security fields every scoped record carries, in the reader's language
# (the forms and the History tab: concord.core.forms, concord.core.history). ScopedModel's
# fields carry no verbose_name: every capability's scoped models would need a migration.
SECURITY_LABELS = {
    "owner": _("Owner"),
    "classification": _("Classification"),
    "releasability": _("Releasability"),
    "shared_organisations": _("Shared organisations"),
    "shared_spaces": _("Shared spaces"),
    "named_users": _("Named users"),
}


class ScopedModel(ChoiceLabels, models.Model):
    """A record with an owning organisation, a classification and a releasability."""

    owner = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        related_name="owned_%(class)s_set",
        help_text=_("The organisation that owns and answers for this record."),
    )
    classification = models.PositiveSmallIntegerField(
        choices=Classification.choices, default=Classification.INTERNAL
    )
    releasability = models.CharField(
        max_length=16, choices=Releasability.choices, default=Releasability.OWNER
    )
    shared_organisations = models.ManyToManyField(
        "core.Organisation",
        blank=True,
        related_name="+",
        help_text=_(
            "Organisations this record is released to (releasability: named organisations)."
        ),
    )
    shared_spaces = models.ManyToManyField(
        "core.Space",
        blank=True,
        related_name="+",
        help_text=_("Spaces this record is released to (releasability: named spaces)."),
    )
    named_users = models.ManyToManyField(
        "core.User",
        blank=True,
        related_name="+",
        help_text=_("Strictly confidential records: the only people who may see it."),
    )
    created_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ScopedQuerySet.as_manager()

    SECURITY_FIELDS = [
        "owner",
        "classification",
        "releasability",
        "shared_organisations",
        "shared_spaces",
        "named_users",
    ]

    class Meta:
        abstract = True

    # Every scoped model gets the index its enforcement point filters by (owner, then
    # classification), added once here (``_scope_index``) rather than in each model's Meta,
    # and a page at ``<app label>:<model name>_detail``.
    SCOPE_INDEX = ("owner", "classification")

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        name = f"{self._meta.app_label}:{self._meta.model_name}_detail"
        return reverse(name, kwargs={"pk": self.pk})

    # Dates a record may hold: a value far outside (9999-12-31 typed for "open-ended") would
    # stretch every timeline and calendar built from it.
    EARLIEST_DATE = dt.date(1900, 1, 1)
    LATEST_DATE = dt.date(2100, 12, 31)

    def clean_fields(self, exclude=None) -> None:
        """Django's checks of each field, and every date within EARLIEST/LATEST_DATE."""
        from django.core.exceptions import ValidationError

        errors: dict = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        for f in self._meta.concrete_fields:
            if type(f) is not models.DateField or f.name in (exclude or ()) or f.name in errors:
                continue
            value = getattr(self, f.attname)
            if value is not None and not (self.EARLIEST_DATE <= value <= self.LATEST_DATE):
                errors[f.name] = [
                    ValidationError(
                        gettext(
                            "Give a date from %(earliest)s to %(latest)s "
                            "(leave it empty when it is open-ended), not %(value)s."
                        )
                        % {
                            "earliest": self.EARLIEST_DATE,
                            "latest": self.LATEST_DATE,
                            "value": value,
                        }
                    )
                ]
        if errors:
            raise ValidationError(errors)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        super().clean()
        if (
            self.releasability == Releasability.PUBLIC
            and self.classification != Classification.PUBLIC
        ):
            raise ValidationError(
                {
                    "releasability": gettext(
                        "Only a record classified public can be released to the public."
                    )
                }
            )


class ApiToken(models.Model):
    """A per-user API token. Only its hash is stored; it can be read-only and revoked."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    read_only = models.BooleanField(_("read only"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(
        pgettext_lazy("API token", "revoked at"), null=True, blank=True
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "cnc_" + secrets.token_urlsafe(32)

    @property
    def active(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class FeedSecret(models.Model):
    """A user's calendar-feed secret: it reads the iCalendar feed of due dates as its user and
    nothing else (it is not an API token). A calendar application cannot send a header, so
    the secret travels in the feed's address; only its hash is stored. One active per user:
    creating another revokes the old one."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="feed_secrets")
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    PREFIX = "cnf_"  # API tokens start cnc_

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(revoked_at__isnull=True),
                name="one_active_feed_secret",
            )
        ]

    def __str__(self) -> str:
        return gettext("Calendar feed (%(prefix)s…)") % {"prefix": self.prefix}

    hash_key = staticmethod(ApiToken.hash_key)

    @classmethod
    def new_key(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    @classmethod
    def authenticate(cls, key: str) -> FeedSecret | None:
        """The active secret of an active user with this key, its last use recorded (at most
        once a minute, like API tokens); None for anything else."""
        if not key.startswith(cls.PREFIX):
            return None
        secret = (
            cls.objects.select_related("user")
            .filter(key_hash=cls.hash_key(key), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if secret is not None:
            now = timezone.now()
            if secret.last_used_at is None or (now - secret.last_used_at).total_seconds() > 60:
                cls.objects.filter(pk=secret.pk).update(last_used_at=now)
                secret.last_used_at = now
        return secret


def _scope_index(sender, **kwargs) -> None:
    """Give every concrete scoped model its (owner, classification) index, named as Django
    names an index declared in the model's own Meta (so that declaring it there too changes
    nothing)."""
    if not issubclass(sender, ScopedModel) or sender._meta.abstract:
        return
    fields = list(ScopedModel.SCOPE_INDEX)
    if any(list(index.fields) == fields for index in sender._meta.indexes):
        return
    index = models.Index(fields=fields)
    index.set_name_with_model(sender)
    sender._meta.indexes.append(index)
    # Migrations read a model's indexes only when its Meta declared some.
    sender._meta.original_attrs["indexes"] = sender._meta.indexes


models.signals.class_prepared.connect(_scope_index)
