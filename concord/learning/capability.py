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
    ),
    import_kinds="concord.learning.exchange.SPECS",
    navigation=(
        NavEntry(_("Learning"), _("Lessons"), "learning:lesson_list"),
        NavEntry(_("Learning"), _("Observations"), "learning:observation_list"),
        NavEntry(_("Learning"), _("Remedial actions"), "learning:remedialaction_list"),
        NavEntry(
            _("Learning"),
            _("Knowledge managers"),
            "learning:knowledge_managers",
            when="concord.administration.access.manages_an_organisation",
        ),
    ),
    hooks=(
        Hook("learning.RemedialAction", "after_save", "concord.learning.services.after_action"),
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
