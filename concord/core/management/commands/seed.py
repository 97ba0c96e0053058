from django.core.management.base import CommandError

from concord.core import capabilities, search
from concord.core.management.base import ConcordCommand


class Command(ConcordCommand):
    help = (
        "Load reference data (ISO 3166 countries and subdivisions), the catalogues (peace "
        "operations since 1948, tasks, mandates), or the demo world: each installed "
        "capability's part, in the order of INSTALLED_APPS. Idempotent: re-running updates."
    )

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["reference", "catalogue", "demo"])

    def handle(self, what, **options):
        orgs: dict = {}
        for capability in capabilities.all():
            path = getattr(capability, f"seed_{what}")
            if path is None:
                continue
            seeder = capabilities.resolve(path)
            try:
                message = seeder(orgs) if what == "demo" else seeder()
            except RuntimeError as exc:
                raise CommandError(str(exc)) from exc
            if message:
                self.stdout.write(message)
        # Reference data and catalogues are written in bulk, around the services: index them.
        counts = search.reindex()
        self.stdout.write(f"Search index: {sum(counts.values())} records.")
