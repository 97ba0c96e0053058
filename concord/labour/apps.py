from django.apps import AppConfig


class LabourConfig(AppConfig):
    name = "concord.labour"
    label = "labour"
    verbose_name = "Division of labour"

    def ready(self) -> None:
        from concord.core.importers import SPECS
        from concord.web.navigation import NAVIGATION, NavEntry, register

        from . import views  # noqa: F401  (adds the mandate to the operation page)
        from .exchange import SPECS as LABOUR_SPECS

        for kind, spec in LABOUR_SPECS.items():
            SPECS.setdefault(kind, spec)
        for entry in (
            NavEntry("Division of labour", "Who does what where", "web:labour_analysis"),
            NavEntry("Division of labour", "Assignments", "web:assignment_list"),
            NavEntry("Division of labour", "Enter assignments", "web:assignment_grid", True),
            NavEntry("Division of labour", "Import a 3W file", "web:assignment_import_3w", True),
            NavEntry("Division of labour", "Needs", "web:need_list"),
            NavEntry("Division of labour", "Arrangements", "web:arrangement_list"),
            NavEntry("Division of labour", "Task catalogue", "web:task_list"),
            NavEntry("Division of labour", "Clash rules", "web:clashrule_list"),
            NavEntry("Division of labour", "3W sector mappings", "web:sectormapping_list", True),
        ):
            if entry not in NAVIGATION:
                register(entry)
