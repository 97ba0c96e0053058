"""Every write of the sign-in capability: one function per use case, one transaction, audited.

Never in the audit trail: a password, a one-time code, a recovery code, an authenticator's
key or a session key. What is written is that something happened, to whom, by whom."""

from __future__ import annotations

import secrets
from base64 import b32encode

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from concord.core import audit
from concord.core.context import Actor
from concord.core.models import Classification, Organisation, User

from .models import (
    AUTHENTICATOR_NAME,
    RECOVERY_NAME,
    OrganisationPolicy,
    UserSession,
    enrolled,
    is_manager_of,
    recovery_device,
    two_factor_required,
)

RECOVERY_CODES = 10
INTERNAL = Classification.INTERNAL


def _record(actor: Actor, action: str, obj, changes: dict, owner_id=None) -> None:
    if isinstance(obj, SimpleLazyObject):  # request.user, as django-otp's middleware wraps it
        obj = User.objects.get(pk=obj.pk)
    audit.record(actor, action, obj, changes, owner_id=owner_id, classification=INTERNAL)


def _require_self(actor: Actor, user: User) -> None:
    if actor.is_system:
        return
    if actor.user is None or not actor.user.is_authenticated or actor.user.pk != user.pk:
        raise PermissionDenied(_("You may change only your own sign-in."))


def _require_admin(actor: Actor) -> None:
    if actor.is_system:
        return
    if not (actor.user and actor.user.is_authenticated and actor.user.is_superuser):
        raise PermissionDenied(_("Only a platform administrator may do this."))


# --- the interface language -----------------------------------------------------------------


@transaction.atomic
def set_language(user: User, *, actor: Actor, language: str) -> None:
    """Store the interface language chosen on the account page ("" follows the browser)."""
    _require_self(actor, user)
    if isinstance(user, SimpleLazyObject):
        user = User.objects.get(pk=user.pk)
    if language not in {"", *dict(settings.LANGUAGES)}:
        raise ValidationError({"language": _("Choose one of the languages offered.")})
    if user.language == language:
        return
    _record(actor, "update", user, {"language": [user.language, language]})
    user.language = language
    user.save(update_fields=["language"])


# --- enrolment and the second factor --------------------------------------------------------


def new_key() -> str:
    """A new authenticator key (20 random bytes, as django-otp stores it: hex)."""
    return secrets.token_hex(20)


def key_for_people(hex_key: str) -> str:
    """The key as an authenticator app takes it when typed: base32, in groups of four."""
    text = b32encode(bytes.fromhex(hex_key)).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def code_matches_key(hex_key: str, code: str) -> bool:
    """Whether ``code`` is the current code (or one step either side) of a key not yet saved."""
    code = normalise(code)
    if not code.isdigit():
        return False
    totp = TOTP(bytes.fromhex(hex_key))
    return totp.verify(int(code), tolerance=1)


def normalise(code: str) -> str:
    """What a person types, as codes are stored: no spaces or dashes, lower case."""
    return "".join((code or "").split()).replace("-", "").lower()


@transaction.atomic
def enrol(user: User, *, actor: Actor, key: str, code: str, name: str = AUTHENTICATOR_NAME):
    """Confirm an authenticator app: ``code`` must be its current code for ``key``. Returns
    (device, recovery codes): the codes are shown once."""
    _require_self(actor, user)
    if enrolled(user):
        raise ValidationError({"code": _("Two-factor sign-in is already on for this account.")})
    if not code_matches_key(key, code):
        raise ValidationError(
            {"code": _("That code does not match: type the 6 digits the app shows now.")}
        )
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(user=user, name=name, key=key, confirmed=True)
    device.verify_token(int(normalise(code)))  # the code is used: it cannot sign in again
    # A value of the audit trail, like "on" and "off" below: the same in every language.
    changes = {"two_factor": [None, "authenticator app"]}  # untranslated: an audit value
    _record(actor, "create", device, changes)
    codes = _new_recovery_codes(user, actor)
    return device, codes


def _new_recovery_codes(user: User, actor: Actor) -> list[str]:
    device = recovery_device(user) or StaticDevice.objects.create(
        user=user, name=RECOVERY_NAME, confirmed=True
    )
    before = device.token_set.count()
    device.token_set.all().delete()
    codes = []
    while len(codes) < RECOVERY_CODES:
        token = StaticToken.random_token()
        if token not in codes:
            codes.append(token)
    StaticToken.objects.bulk_create([StaticToken(device=device, token=t) for t in codes])
    _record(actor, "update", device, {"recovery_codes": [before, RECOVERY_CODES]})
    return [f"{c[:4]}-{c[4:]}" for c in codes]


@transaction.atomic
def regenerate_recovery_codes(user: User, *, actor: Actor) -> list[str]:
    """New recovery codes; the old ones stop working. Shown once."""
    _require_self(actor, user)
    if not enrolled(user):
        raise ValidationError(_("Turn on two-factor sign-in first."))
    return _new_recovery_codes(user, actor)


@transaction.atomic
def verify_code(user: User, code: str, *, actor: Actor):
    """The device that accepts ``code`` (the authenticator's current code, or an unused
    recovery code, which is used up), or None. A TOTP code is accepted once."""
    token = normalise(code)
    if not token:
        return None
    devices = []
    if token.isdigit() and len(token) == 6:
        devices = list(TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True))
    elif len(token) == 8:
        devices = list(StaticDevice.objects.select_for_update().filter(user=user, confirmed=True))
    for device in devices:
        left = device.token_set.count() if isinstance(device, StaticDevice) else None
        if device.verify_token(token):
            if left is not None:
                _record(actor, "update", device, {"recovery_codes": [left, left - 1]})
            return device
    return None


def _remove_devices(user: User) -> int:
    n = TOTPDevice.objects.filter(user=user).count()
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    return n


@transaction.atomic
def disable(user: User, *, actor: Actor, code: str) -> None:
    """Turn two-factor sign-in off for oneself: refused when it is required; confirmed with
    a current code."""
    _require_self(actor, user)
    if two_factor_required(user):
        raise ValidationError(
            {"code": _("Two-factor sign-in is required for your account: it cannot be turned off.")}
        )
    if not enrolled(user):
        raise ValidationError({"code": _("Two-factor sign-in is not on.")})
    if verify_code(user, code, actor=actor) is None:
        raise ValidationError({"code": _("That code is not right: nothing was changed.")})
    _remove_devices(user)
    _record(actor, "delete", user, {"two_factor": ["on", "off"]})


@transaction.atomic
def reset(user: User, *, actor: Actor) -> int:
    """A platform administrator removes a user's second factor (a lost phone). The user is
    signed out everywhere (whoever holds the phone may hold a session too) and enrols again
    at their next sign-in if it is required of them. Returns how many authenticators were
    removed."""
    _require_admin(actor)
    n = _remove_devices(user)
    action = "two-factor reset"  # untranslated: an audit action (a code)
    _record(actor, action, user, {"authenticators_removed": n})
    end_sessions(user, actor=actor)
    return n


# --- an organisation's requirement -----------------------------------------------------------


@transaction.atomic
def set_organisation_policy(
    organisation: Organisation, *, actor: Actor, require_two_factor: bool
) -> OrganisationPolicy:
    """Only the organisation's managers require (or stop requiring) two-factor sign-in of
    its members."""
    if not actor.is_system and not is_manager_of(actor.user, organisation):
        raise PermissionDenied(_("Only this organisation's managers may change its sign-in rules."))
    policy, _created = OrganisationPolicy.objects.select_for_update().get_or_create(
        organisation=organisation
    )
    before = policy.require_two_factor
    if before != require_two_factor:
        policy.require_two_factor = bool(require_two_factor)
        policy.updated_at = timezone.now()
        policy.save()
        _record(
            actor,
            "update",
            policy,
            {"require_two_factor": [before, policy.require_two_factor]},
            owner_id=organisation.pk,
        )
    return policy


# --- passwords -------------------------------------------------------------------------------


@transaction.atomic
def set_password(user: User, password: str, *, actor: Actor, how: str, keep_session_key=None):
    """Change a password (validated by the form that asked for it), audited without it, and
    sign out the user's other sessions (all of them for a reset by e-mail)."""
    _require_self(actor, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    # Audit actions: codes, the same in every language.
    action = "password changed"  # untranslated: an audit action (a code)
    if how == "reset":
        action = "password reset"  # untranslated: an audit action (a code)
    _record(actor, action, user, {"password": "changed"})
    end_sessions(user, actor=actor, keep_session_key=keep_session_key)
    return user


def reset_link_sent(user: User, *, request_id: str, ip: str | None) -> None:
    """A reset link went to the account's address, asked for by someone not signed in (from
    ``ip``): audited on the account, so that its owner and the administrators see who asked
    and how often, never the link."""
    anonymous = "anonymous"  # untranslated: an audit trail's actor label (a code)
    actor = Actor(user=None, interface="web", request_id=request_id, label=anonymous)
    action = "reset link sent"  # untranslated: an audit action (a code)
    _record(actor, action, user, {"ip_address": ip})


# --- sessions --------------------------------------------------------------------------------


def _session_store(key: str) -> SessionBase:
    from importlib import import_module

    from django.conf import settings

    return import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)


def _end(row: UserSession, actor: Actor) -> None:
    _session_store(row.session_key).delete()
    _record(
        actor,
        "delete",
        row,
        {"user": [row.user_id, None], "ip_address": [row.ip_address, None]},
    )
    row.delete()


@transaction.atomic
def end_sessions(user, *, actor: Actor, keep_session_key=None) -> int:
    """Sign ``user`` out everywhere but the session ``keep_session_key``: their sessions are
    deleted, each audited. For the user themself, a platform administrator (deactivating an
    account) and the system. Returns how many were ended."""
    if not actor.is_system and not (
        actor.user is not None
        and actor.user.is_authenticated
        and (actor.user.pk == user.pk or actor.user.is_superuser)
    ):
        raise PermissionDenied(_("You may end only your own sessions."))
    rows = UserSession.objects.select_for_update().filter(user=user)
    if keep_session_key:
        rows = rows.exclude(session_key=keep_session_key)
    n = 0
    for row in rows:
        _end(row, actor)
        n += 1
    return n


@transaction.atomic
def end_session(row: UserSession, *, actor: Actor) -> None:
    """Sign out one of one's own sessions."""
    if not actor.is_system and (actor.user is None or actor.user.pk != row.user_id):
        raise PermissionDenied(_("You may end only your own sessions."))
    _end(row, actor)


def touch_session(user, session_key: str, *, ip: str | None, user_agent: str) -> None:
    """Record that a session of ``user`` is in use now (called at most once a minute per
    session, see the middleware). Bookkeeping like Django's ``last_login``: not audited."""
    now = timezone.now()
    if UserSession.objects.filter(session_key=session_key, user=user).update(last_seen=now):
        return
    prune_sessions(user)  # a new sign-in: forget the sessions of theirs that have ended
    try:
        with transaction.atomic():
            UserSession.objects.create(
                user=user,
                session_key=session_key,
                created_at=now,
                last_seen=now,
                ip_address=ip,
                user_agent=user_agent[:300],
            )
    except IntegrityError:  # a concurrent request recorded it first
        UserSession.objects.filter(session_key=session_key, user=user).update(last_seen=now)


def prune_sessions(user) -> None:
    """Forget recorded sessions that have ended (expired, or signed out without this app
    seeing it). Housekeeping, not audited."""
    for row in UserSession.objects.filter(user=user):
        if not _session_store(row.session_key).exists(row.session_key):
            row.delete()
