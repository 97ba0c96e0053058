"""What the operations capability brings (see concord.core.capabilities): peace operations,
their relations, the four-scenario typology, the catalogue since 1948."""

from django.utils.translation import gettext_lazy as _

from concord.core.capabilities import Capability, NavEntry, Route, Searchable

CAPABILITY = Capability(
    label="operations",  # untranslated: the app label, a code
    title=_("Operations"),
    urls="concord.operations.urls",
    api=(
        Route("operations", "concord.operations.api.OperationViewSet", "operation"),
        Route("relations", "concord.operations.api.RelationViewSet", "relation"),
        Route("classifications", "concord.operations.api.ClassificationViewSet", "classification"),
    ),
    import_kinds="concord.operations.exchange.SPECS",
    navigation=(
        NavEntry(
            _("Operations"),
            _("Operations"),
            "operations:operation_list",
        ),
        NavEntry(
            _("Operations"),
            _("Relations"),
            "operations:relation_list",
        ),
        NavEntry(_("Operations"), _("Typology"), "operations:typology"),
        NavEntry(_("Operations"), _("Timeline"), "operations:timeline"),
        NavEntry(_("Operations"), _("Map"), "operations:map"),
    ),
    country_sections=("concord.operations.views.records.country_section",),
    seed_catalogue="concord.operations.fixtures.catalogue.catalogue",
    test_world="concord.operations.fixtures.testworld",
    synthetic="concord.operations.fixtures.synthetic",
    search=(
        Searchable(
            "operations.Operation",
            _("Operations"),
            title="name",  # untranslated: a field name
            text=("aliases",),
            codes=("acronym", "key"),
            describe="concord.operations.loaders.describe_operation",
        ),
    ),
)
