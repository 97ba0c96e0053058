from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "concord.operations"
    label = "operations"
    verbose_name = "Operations registry"

    def ready(self) -> None:
        from concord.core.importers import SPECS
        from concord.web.navigation import NAVIGATION, NavEntry, register

        from .exchange import OperationSpec, RelationSpec

        SPECS.setdefault("operations", OperationSpec())
        SPECS.setdefault("relations", RelationSpec())
        for entry in (
            NavEntry("Operations", "Operations", "web:operation_list"),
            NavEntry("Operations", "Relations", "web:relation_list"),
            NavEntry("Operations", "Typology", "web:operations_typology"),
            NavEntry("Operations", "Timeline", "web:operations_timeline"),
            NavEntry("Operations", "Map", "web:operations_map"),
        ):
            if entry not in NAVIGATION:
                register(entry)
