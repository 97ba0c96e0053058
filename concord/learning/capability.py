"""What the learning capability brings (see concord.core.capabilities): observations analysed
into lessons, remedial actions that make a lesson learned, sealed attribution."""

from django.utils.translation import gettext_lazy as _

from concord.core.capabilities import Capability, Hook, NavEntry, Route, Searchable

_API = "concord.learning.api"

CAPABILITY = Capability(
    label="learning",  # untranslated: the app label (a code)
    title=_("Learning"),
    urls="concord.learning.urls",
    api=(
        Route("observations", f"{_API}.ObservationViewSet", "observation"),
        Route("lessons", f"{_API}.LessonViewSet", "lesson"),
        Route("lesson-bodies", f"{_API}.LessonBodyViewSet", "lessonbody"),
        Route("remedial-actions", f"{_API}.RemedialActionViewSet", "remedialaction"),
        Route("dispositions", f"{_API}.DispositionViewSet", "disposition"),
        Route("similar", f"{_API}.SimilarViewSet", "similar"),
        Route("surface", f"{_API}.SurfaceViewSet", "surface"),
        Route("recurrence", f"{_API}.RecurrenceViewSet", "recurrence"),
        Route("support-modules", f"{_API}.SupportModuleViewSet", "supportmodule"),
        Route("support-requests", f"{_API}.SupportRequestViewSet", "supportrequest"),
    ),
    operation_sections=(
        "concord.learning.views.lessons_section",
        "concord.learning.views.support_section",
    ),
    accountability_sections=("concord.learning.views.accountability_support",),
    findings_sections=("concord.learning.views.lessons_beside_findings",),
    attention=("concord.learning.attention.undispositioned",),
    import_kinds="concord.learning.exchange.SPECS",
    navigation=(
        NavEntry(_("Learning"), _("Lessons"), "learning:lesson_list"),
        NavEntry(_("Learning"), _("Observations"), "learning:observation_list"),
        NavEntry(_("Learning"), _("Remedial actions"), "learning:remedialaction_list"),
        NavEntry(_("Learning"), _("Action board"), "learning:action_board"),
        NavEntry(_("Learning"), _("Lessons re-learned"), "learning:recurrence"),
        NavEntry(_("Learning"), _("Dispositions"), "learning:disposition_list"),
        NavEntry(_("Learning"), _("Support catalogue"), "learning:supportmodule_list"),
        NavEntry(_("Learning"), _("Support requests"), "learning:supportrequest_list"),
        NavEntry(_("Learning"), _("Support gaps"), "learning:support_findings"),
        NavEntry(
            _("Learning"),
            _("Knowledge managers"),
            "learning:knowledge_managers",
            when="concord.administration.access.manages_an_organisation",
        ),
    ),
    hooks=(
        Hook("learning.RemedialAction", "after_save", "concord.learning.services.after_action"),
        Hook("learning.Observation", "after_save", "concord.learning.services.index_terms"),
        Hook("learning.Lesson", "after_save", "concord.learning.services.index_terms"),
        Hook(
            "learning.SupportRequest", "after_save", "concord.learning.services.share_with_offerer"
        ),
    ),
    search=(
        Searchable(
            "learning.Lesson",
            _("Lessons"),
            title="title",  # untranslated: a field name
        ),
        Searchable(
            "learning.Observation",
            _("Observations"),
            title="title",  # untranslated: a field name
        ),
    ),
    seed_demo="concord.learning.fixtures.demo.demo",
    test_world="concord.learning.fixtures.testworld",
)
