"""What the division-of-labour capability brings (see concord.core.capabilities): tasks,
mandates, needs, assignments (4W), coordination arrangements, and the findings on them."""

from django.utils.translation import gettext_lazy as _

from concord.core.capabilities import Capability, NavEntry, Route, Searchable

SECTION = _("Division of labour")  # the header's menu

CAPABILITY = Capability(
    label="labour",  # untranslated: the app label
    title=SECTION,
    urls="concord.labour.urls",
    api=(
        Route("tasks", "concord.labour.api.TaskViewSet", "task"),
        Route("clash-rules", "concord.labour.api.ClashRuleViewSet", "clashrule"),
        Route("sector-mappings", "concord.labour.api.SectorMappingViewSet", "sectormapping"),
        Route("needs", "concord.labour.api.NeedViewSet", "need"),
        Route("assignments", "concord.labour.api.AssignmentViewSet", "assignment"),
        Route("arrangements", "concord.labour.api.ArrangementViewSet", "arrangement"),
        Route("mandates", "concord.labour.api.MandateViewSet", "mandate"),
        Route("findings", "concord.labour.api.FindingViewSet", "finding"),
        Route("imports-3w", "concord.labour.api.ThreeWImportViewSet", "import3w"),
        Route("import-batches", "concord.labour.api.ImportBatchViewSet", "importbatch"),
    ),
    import_kinds="concord.labour.exchange.SPECS",
    navigation=(
        NavEntry(SECTION, _("Who does what where"), "labour:analysis"),
        NavEntry(SECTION, _("Assignments"), "labour:assignment_list"),
        NavEntry(
            SECTION,
            _("Enter assignments"),
            "labour:assignment_grid",
            True,
        ),
        NavEntry(
            SECTION,
            _("Import a 3W file"),
            "labour:assignment_import_3w",
            True,
        ),
        NavEntry(SECTION, _("Needs"), "labour:need_list"),
        NavEntry(SECTION, _("Arrangements"), "labour:arrangement_list"),
        NavEntry(SECTION, _("Task catalogue"), "labour:task_list"),
        NavEntry(SECTION, _("Clash rules"), "labour:clashrule_list"),
        NavEntry(
            SECTION,
            _("3W sector mappings"),
            "labour:sectormapping_list",
            True,
        ),
    ),
    operation_sections=("concord.labour.views.mandate.mandate_section",),
    country_sections=("concord.labour.views.analysis.country_section",),
    seed_catalogue="concord.labour.fixtures.catalogue.catalogue",
    seed_demo="concord.labour.fixtures.demo.demo",
    test_world="concord.labour.fixtures.testworld",
    synthetic="concord.labour.fixtures.synthetic",
    attention=("concord.labour.attention.open_findings",),
    search=(
        Searchable(
            "labour.Task",
            "Tasks",
            title="name",  # untranslated: a field name
            codes=("code",),
            describe="concord.labour.loaders.describe_task",
        ),
    ),
)
