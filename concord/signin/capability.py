"""What the sign-in capability brings (see concord.core.capabilities): two-factor sign-in
(one-time codes from an authenticator app, recovery codes), an organisation's requirement of
it, password change and reset by e-mail, and the list of one's signed-in sessions."""

from django.utils.translation import gettext_lazy as _

from concord.core.capabilities import Capability, Route

CAPABILITY = Capability(
    label="signin",  # untranslated: the capability's code
    title=_("Sign-in"),
    urls="concord.signin.urls",
    api=(
        Route("sessions", "concord.signin.api.SessionViewSet", "usersession"),
        Route("two-factor", "concord.signin.api.TwoFactorViewSet", "twofactor"),
    ),
    organisation_sections=("concord.signin.views.organisation_section",),
    seed_demo="concord.signin.fixtures.demo.demo",
    test_world="concord.signin.fixtures.testworld",
)
