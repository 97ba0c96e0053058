"""What the roster capability brings (see concord.core.capabilities): experts, requests on a
72-hour clock, conflict-of-interest screening, explained matching, team assignment,
alerts with one-use links and deployments that feed learning."""

from django.utils.translation import gettext_lazy as _

from concord.core.capabilities import Capability, Hook, NavEntry, Route, Schedule, Searchable

_API = "concord.roster.api"

CAPABILITY = Capability(
    label="roster",  # untranslated: the app label (a code)
    title=_("Roster"),
    urls="concord.roster.urls",
    api=(
        Route("experts", f"{_API}.ExpertViewSet", "expert"),
        Route("requests", f"{_API}.RequestViewSet", "request"),
        Route("deployments", f"{_API}.DeploymentViewSet", "deployment"),
        Route("assign", f"{_API}.AssignViewSet", "assign"),
        Route("expertise", f"{_API}.ExpertiseViewSet", "expertise"),
    ),
    import_kinds="concord.roster.exchange.SPECS",
    navigation=(
        NavEntry(_("Roster"), _("Requests for experts"), "roster:expertrequest_list"),
        NavEntry(_("Roster"), _("Experts"), "roster:expert_list"),
        NavEntry(_("Roster"), _("Deployments"), "roster:deployment_list"),
        NavEntry(_("Roster"), _("Assignment board"), "roster:assignment_board"),
        NavEntry(_("Roster"), _("Roster reports"), "roster:reports"),
        NavEntry(_("Roster"), _("Expertise catalogue"), "roster:expertise_list"),
    ),
    attention=("concord.roster.attention.on_the_clock",),
    hooks=(Hook("roster.Deployment", "before_save", "concord.roster.services.check_booking"),),
    search=(
        Searchable(
            "roster.ExpertRequest",
            _("Requests for experts"),
            title="title",  # untranslated: a field name
            text=("process",),  # untranslated: a field name
        ),
    ),
    seed_catalogue="concord.roster.fixtures.catalogue.catalogue",
    seed_demo="concord.roster.fixtures.demo.demo",
    test_world="concord.roster.fixtures.testworld",
    schedules=(Schedule("concord.roster.tasks.end_lapsed_access", 3600),),
)
