import json

from django.core.management.base import CommandError

from concord.core.management.base import ConcordCommand


def _positive(kind):
    def parse(value: str):
        try:
            number = kind(value)
        except ValueError:
            number = None
        if number is None or number <= 0:
            raise ValueError(value)
        return number

    parse.__name__ = "positive number" if kind is float else "positive whole number"
    return parse


class Command(ConcordCommand):
    help = (
        "Benchmarks: 'generate' writes a deterministic synthetic world into this (empty) "
        "database: scale 1 is about one crisis region, scale 100 about 100,000 organisations, "
        "10,000 operations and 1,000,000 assignments."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        g = sub.add_parser("generate", help="Write the synthetic world.")
        g.add_argument("--scale", type=_positive(float), default=1.0, help="e.g. 1, 10, 100")
        g.add_argument("--seed", type=_positive(int), default=1)
        g.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, action, scale, seed, format, **options):
        from concord.synthetic.world import NAMED_USERS, PASSWORD, World, counts

        bars: dict = {}

        def progress(label, done, total):
            if done is None:
                bar = bars.pop(label, None)
                if bar is not None:
                    bar.close()
                if format == "text":
                    self.stderr.write(f"  {label}: done")
                return
            bar = bars.get(label)
            if bar is None:
                bar = bars[label] = self.progress(total, label)
            bar.update(done - bar.n)

        if format == "text":
            plan = counts(scale)
            self.stderr.write(
                f"Synthetic world, scale {scale:g}, seed {seed}: {plan['organisations']:,} "
                f"organisations, {plan['operations']:,} operations, {plan['assignments']:,} "
                "assignments…"
            )
        try:
            report = World(scale, seed, progress).generate()
        except ValueError as e:
            raise CommandError(str(e)) from None
        if format == "json":
            self.stdout.write(
                json.dumps(
                    {
                        "scale": scale,
                        "seed": seed,
                        "rows": report.rows,
                        "named_users": report.named_users,
                        "total_rows": report.total,
                        "seconds": round(report.seconds, 2),
                        "rows_per_second": round(report.total / report.seconds),
                        "peak_rss_mb": round(report.peak_rss_mb, 1),
                    },
                    indent=2,
                )
            )
            return
        self.stdout.write(
            f"Wrote {report.total:,} rows in {report.seconds:.1f} s "
            f"({report.total / report.seconds:,.0f} rows/s); "
            f"peak memory {report.peak_rss_mb:.0f} MB."
        )
        self.stdout.write(
            f"Sign in as {', '.join(NAMED_USERS)} (or synth.user00000…) with password {PASSWORD!r}."
        )
