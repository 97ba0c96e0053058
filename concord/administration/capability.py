"""What administration brings to Concord (see concord.core.capabilities): platform
administration (accounts, invitations, merging duplicate organisations, spaces, every API
token) and an organisation's managers' page of members."""

from django.utils.translation import gettext_lazy as _

from concord.core.capabilities import Capability, NavEntry, Route

CAPABILITY = Capability(
    label="administration",  # untranslated: the capability's code (URL namespace, API path)
    title=_("Administration"),
    urls="concord.administration.urls",
    api=(
        Route("users", "concord.administration.api.UserViewSet", "user"),
        Route("memberships", "concord.administration.api.MembershipViewSet", "membership"),
        Route("invitations", "concord.administration.api.InvitationViewSet", "invitation"),
        Route("merges", "concord.administration.api.MergeViewSet", "merge"),
    ),
    navigation=(
        NavEntry(
            _("Platform"),
            _("Administration"),
            "administration:index",
            when="concord.administration.access.is_platform_admin",
        ),
        NavEntry(
            _("Platform"),
            _("Members"),
            "administration:members",
            when="concord.administration.access.manages_an_organisation",
        ),
    ),
    attention=("concord.administration.attention.invitations",),
    seed_demo="concord.administration.fixtures.demo.demo",
    test_world="concord.administration.fixtures.testworld",
)
