from django.core.management.base import CommandError

from concord.core.management.base import ConcordCommand


class Command(ConcordCommand):
    help = (
        "Load reference data (ISO 3166 countries and subdivisions), the catalogue of peace "
        "operations since 1948, or the demo world. Idempotent: re-running updates."
    )

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["reference", "catalogue", "demo"])

    def handle(self, what, **options):
        from concord.core.seed import seed_demo, seed_reference

        if what == "reference":
            counts = seed_reference()
            self.stdout.write(
                "Reference data: "
                + ", ".join(f"{v} {k.replace('_', ' ')} added" for k, v in counts.items())
            )
            return
        if what == "catalogue":
            from concord.labour.catalogue import seed_labour_catalogue
            from concord.operations.catalogue import seed_catalogue

            counts = seed_catalogue()
            self.stdout.write(
                f"Catalogue: {counts['operations']} operations and {counts['relations']} "
                "relations loaded or refreshed."
            )
            counts = seed_labour_catalogue()
            self.stdout.write(
                f"Tasks: {counts['tasks']} tasks, {counts['clash_rules']} clash rules and the "
                f"mandates of {counts['mandates']} operations loaded or refreshed."
            )
            return
        from concord.core.models import Organisation
        from concord.labour.catalogue import seed_labour_demo

        rows = seed_demo()
        orgs: dict = {}
        for org in Organisation.objects.exclude(acronym="").order_by("pk"):
            orgs.setdefault(org.acronym, org)
        from concord.accountability.demo import seed_accountability_demo, seed_due_diligence_demo

        seed_accountability_demo(orgs)
        seed_due_diligence_demo(orgs)
        if not seed_labour_demo(orgs):
            self.stdout.write(
                "Division-of-labour demo not loaded: it needs the operations catalogue. Run "
                "`concord seed catalogue`, then `concord seed demo` again."
            )
        if not rows:
            raise CommandError("The demo world could not be created.")
        width = max(len(r[0]) for r in rows)
        self.stdout.write("Demo logins (password derived from this installation's secret key):")
        for username, password, what_ in rows:
            self.stdout.write(f"  {username.ljust(width)}  {password}  {what_}")
