"""Sign-in: an organisation's requirement of two-factor sign-in, and signed-in sessions.

The second factors themselves are django-otp's devices: a ``TOTPDevice`` (an authenticator
app) and a ``StaticDevice`` holding the one-use recovery codes."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from concord.core.models import Classification, Organisation, Role, User


class OrganisationPolicy(models.Model):
    """What an organisation's managers require of its members when they sign in."""

    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        related_name="signin_policy",
        verbose_name=_("organisation"),
    )
    require_two_factor = models.BooleanField(default=False, verbose_name=_("require two factor"))
    updated_at = models.DateTimeField(default=timezone.now, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("organisation policy")
        verbose_name_plural = _("organisation policies")

    def __str__(self) -> str:
        return gettext("Sign-in policy of %(organisation)s") % {
            "organisation": self.organisation_id
        }


# Operating systems, as a user agent names them.
SYSTEMS = ("Android", "iPhone", "Windows", "Mac OS", "Linux")  # untranslated: user-agent names


class UserSession(models.Model):
    """One signed-in browser session of a user, for the account page's list. The session key
    is a credential: it is never shown, put in an address or written to the audit trail."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="signin_sessions", verbose_name=_("user")
    )
    session_key = models.CharField(max_length=64, unique=True, verbose_name=_("session key"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    last_seen = models.DateTimeField(default=timezone.now, verbose_name=_("last seen"))
    ip_address = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("IP address"))
    user_agent = models.CharField(max_length=300, blank=True, verbose_name=_("user agent"))

    class Meta:
        verbose_name = _("user session")
        verbose_name_plural = _("user sessions")
        ordering = ["-last_seen"]
        indexes = [models.Index(fields=["user", "last_seen"], name="signin_session_user_seen")]

    def __str__(self) -> str:
        if self.ip_address:
            return gettext("Session from %(address)s (%(browser)s)") % {
                "address": self.ip_address,
                "browser": self.browser,
            }
        return gettext("Session from an unknown address (%(browser)s)") % {"browser": self.browser}

    @property
    def browser(self) -> str:
        """A short name for the user agent (the whole string is on the page's title)."""
        ua = self.user_agent
        for name in ("Edg", "Firefox", "Chrome", "Safari", "curl"):
            if name in ua:
                kind = {"Edg": "Edge"}.get(name, name)
                system = next((s for s in SYSTEMS if s in ua), "")
                if system:
                    return gettext("%(browser)s on %(system)s") % {
                        "browser": kind,
                        "system": system,
                    }
                return kind
        return ua[:40] or gettext("unknown browser")


# --- who must use two-factor sign-in, and whether they have --------------------------------


def requiring_organisations(user) -> models.QuerySet:
    """The organisations of ``user`` whose managers require two-factor sign-in."""
    return Organisation.objects.filter(
        memberships__user=user, signin_policy__require_two_factor=True
    ).distinct()


def requirement_reasons(user) -> list[str]:
    """Why ``user`` must use two-factor sign-in (empty: it is optional for them)."""
    if user is None or not user.is_authenticated:
        return []
    reasons = []
    if user.is_superuser:
        reasons.append(gettext("platform administrator"))
    if user.clearance >= Classification.STRICTLY_CONFIDENTIAL:
        reasons.append(gettext("cleared for strictly confidential records"))
    orgs = list(requiring_organisations(user))
    if orgs:
        seen = set(Organisation.objects.visible_to(user).filter(pk__in=[o.pk for o in orgs]))
        names = [o.name if o in seen else gettext("an organisation of theirs") for o in orgs]
        reasons.append(
            gettext("required by %(organisations)s")
            % {"organisations": ", ".join(sorted(set(names)))}
        )
    return reasons


def two_factor_required(user) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser or user.clearance >= Classification.STRICTLY_CONFIDENTIAL:
        return True
    return requiring_organisations(user).exists()


def authenticator(user) -> TOTPDevice | None:
    """The user's confirmed authenticator app (one per user), or None."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def enrolled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_device(user) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, name=RECOVERY_NAME).first()


def recovery_codes_left(user) -> int:
    device = recovery_device(user)
    return device.token_set.count() if device else 0


def is_manager_of(user, organisation) -> bool:
    return bool(
        user
        and user.is_authenticated
        and user.memberships.filter(organisation=organisation, role=Role.MANAGER).exists()
    )


# The names devices are stored (and looked up) by: data, not interface text.
RECOVERY_NAME = "Recovery codes"  # untranslated: a device's stored name, looked up by it
AUTHENTICATOR_NAME = "Authenticator app"  # untranslated: a device's stored name
DEMO_NAME = "Demo authenticator"  # untranslated: a device's stored name, looked up by it
