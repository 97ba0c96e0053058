from django.core.management.base import CommandError

from concord.core import search
from concord.core.management.base import ConcordCommand


class Command(ConcordCommand):
    help = (
        "The header's search: find what a user may see (`search find QUERY --as USER`), or "
        "rebuild the index (`search reindex`, after a restore or a bulk load that bypassed "
        "the services)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        find = sub.add_parser("find", help="Search as a user, grouped by kind.")
        find.add_argument("query")
        find.add_argument("--limit", type=int, default=5, help="Results per kind (default 5).")
        self.add_as_argument(find)
        sub.add_parser("reindex", help="Rebuild the whole index from the records.")

    def handle(self, action, **options):
        if action == "reindex":
            counts = search.reindex()
            for kind, n in counts.items():
                self.stdout.write(f"{kind}: {n}")
            self.stdout.write(f"Search index rebuilt: {sum(counts.values())} records.")
            return
        if options["limit"] < 1:
            raise CommandError("--limit: give a number of results of 1 or more.")
        user = self.actor(options["as_user"]).user
        if search.parse(options["query"]) is None:
            raise CommandError(f"QUERY: type at least {search.MIN_LENGTH} letters.")
        groups = search.find(user, options["query"], limit=options["limit"])
        if not groups:
            self.stdout.write(f"Nothing {user.username} may see matches {options['query']!r}.")
        for g in groups:
            count = f"{g.count}" if g.exact else f"at least {g.count}"
            self.stdout.write(f"{g.kind} ({count})")
            for h in g.hits:
                codes = f" [{', '.join(h.codes)}]" if h.codes else ""
                self.stdout.write(f"  {h.record}{codes}  {h.url}")
