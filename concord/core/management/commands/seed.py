from django.core.management.base import CommandError

from concord.core.management.base import ConcordCommand


class Command(ConcordCommand):
    help = (
        "Load reference data (ISO 3166 countries and subdivisions) or the demo world. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["reference", "demo"])

    def handle(self, what, **options):
        from concord.core.seed import seed_demo, seed_reference

        if what == "reference":
            counts = seed_reference()
            self.stdout.write(
                "Reference data: "
                + ", ".join(f"{v} {k.replace('_', ' ')} added" for k, v in counts.items())
            )
            return
        rows = seed_demo()
        if not rows:
            raise CommandError("The demo world could not be created.")
        width = max(len(r[0]) for r in rows)
        self.stdout.write("Demo logins (password derived from this installation's secret key):")
        for username, password, what_ in rows:
            self.stdout.write(f"  {username.ljust(width)}  {password}  {what_}")
