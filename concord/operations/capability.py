"""What the operations capability brings (see concord.core.capabilities): peace operations,
their relations, the four-scenario typology, the catalogue since 1948."""

from concord.core.capabilities import Capability, NavEntry, Route, Searchable

CAPABILITY = Capability(
    label="operations",
    title="Operations",
    urls="concord.operations.urls",
    api=(
        Route("operations", "concord.operations.api.OperationViewSet", "operation"),
        Route("relations", "concord.operations.api.RelationViewSet", "relation"),
        Route("classifications", "concord.operations.api.ClassificationViewSet", "classification"),
    ),
    import_kinds="concord.operations.exchange.SPECS",
    navigation=(
        NavEntry("Operations", "Operations", "operations:operation_list"),
        NavEntry("Operations", "Relations", "operations:relation_list"),
        NavEntry("Operations", "Typology", "operations:typology"),
        NavEntry("Operations", "Timeline", "operations:timeline"),
        NavEntry("Operations", "Map", "operations:map"),
    ),
    country_sections=("concord.operations.views.country_section",),
    seed_catalogue="concord.operations.fixtures.catalogue.catalogue",
    test_world="concord.operations.fixtures.testworld",
    synthetic="concord.operations.fixtures.synthetic",
    search=(
        Searchable(
            "operations.Operation",
            "Operations",
            title="name",
            text=("aliases",),
            codes=("acronym", "key"),
            describe="concord.operations.loaders.describe_operation",
        ),
    ),
)
