"""The home page ("what needs my attention") at scale, and the notifications fan-out.

On the scale-100 synthetic world (``concord bench generate``, kept in var/bench/), in this
process through Django's test client, signed in as ``synth.editor`` (an editor in 3
organisations, 2 spaces, confidential clearance):

- ``synth.editor`` follows 50 records it may see (operations, organisations, assignments)
  and the 5 countries with most assignments; the fan-out then reads the last 100,000 audit
  entries (``replay``), making the notifications those follows would have made, and its
  rate (entries per second) is reported;
- p50/p95 of the home page (every capability's attention providers: reports due, approvals,
  due-diligence deadlines, open gaps/overlaps/clashes in the followed countries, recent
  changes) and, in the same run and interleaved, of one of the user's organisation pages
  (the baseline), 60 requests each after 5 to warm up. The labour findings are cached per
  reader for 5 minutes, keyed by the audit trail's head: the home page is also measured
  with the cache emptied before every request (``home_cold``), its worst case;
- the notifications page and the unread count in the header are part of every page.

Target: home page p95 ≤ 150 ms. Run: ``.venv/bin/python bench/notifications.py``
(``DATABASE_URL``: PostgreSQL). Results: bench/results/notifications-<db>.json.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine, use_world, world, write_result  # noqa: E402

TARGET_MS = 150.0


def follow_things(user) -> dict:
    from django.db.models import Count

    from concord.core.context import Actor
    from concord.core.models import Country, Organisation
    from concord.labour.models import Assignment
    from concord.notifications import services
    from concord.notifications.models import Follow
    from concord.operations.models import Operation

    Follow.objects.filter(user=user).delete()
    actor = Actor(user=user, interface="system")
    countries = list(
        Assignment.objects.visible_to(user)
        .values("country_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("country_id", flat=True)[:5]
    )
    for c in countries:
        services.follow("core.country", c, actor=actor)
    records = [
        *(
            ("operations.operation", pk)
            for pk in Operation.objects.visible_to(user).values_list("pk", flat=True)[:20]
        ),
        *(
            ("core.organisation", pk)
            for pk in Organisation.objects.visible_to(user).values_list("pk", flat=True)[:15]
        ),
        *(
            ("labour.assignment", pk)
            for pk in Assignment.objects.visible_to(user).values_list("pk", flat=True)[:15]
        ),
    ]
    for label, pk in records:
        services.follow(label, pk, actor=actor)
    names = list(Country.objects.filter(pk__in=countries).values_list("alpha3", flat=True))
    return {"records": len(records), "countries": names}


def fan_out(entries: int) -> dict:
    from django.db.models import Max

    from concord.core.models import AuditEntry
    from concord.notifications.models import Notification
    from concord.notifications.services.fanout import replay

    Notification.objects.all().delete()
    last = AuditEntry.objects.aggregate(m=Max("seq"))["m"] or 0
    t = time.perf_counter()
    made = replay(max(0, last - entries))
    took = time.perf_counter() - t
    read = min(entries, last)
    return {
        "entries": read,
        "notifications": made,
        "seconds": round(took, 2),
        "entries_per_second": round(read / took) if took else None,
    }


def measure(client, url: str, n: int, cold: bool = False) -> list[float]:
    from django.core.cache import cache

    out = []
    for _ in range(n):
        if cold:
            cache.clear()
        t = time.perf_counter()
        r = client.get(url)
        out.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, (url, r.status_code)
    return out


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return round(s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))], 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=100)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--entries", type=int, default=100_000)
    args = parser.parse_args()
    env, report = world(args.scale, os.environ.get("DATABASE_URL"))
    use_world(env)
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from concord.core.models import User
    from concord.notifications.access import unread

    settings.ALLOWED_HOSTS = ["*"]
    user = User.objects.get(username="synth.editor")
    follows = follow_things(user)
    fan = fan_out(args.entries)
    org = user.memberships.order_by("organisation_id").first().organisation_id
    client = Client()
    client.force_login(user)
    home, page = "/", f"/organisations/{org}/"
    for url in (home, page):
        measure(client, url, 5)
    times: dict[str, list[float]] = {"home": [], "organisation": [], "home_cold": []}
    for _ in range(args.requests):
        times["home"] += measure(client, home, 1)
        times["organisation"] += measure(client, page, 1)
    times["home_cold"] = measure(client, home, max(10, args.requests // 3), cold=True)
    figures = {
        k: {"p50_ms": pct(v, 50), "p95_ms": pct(v, 95), "mean_ms": round(statistics.mean(v), 1)}
        for k, v in times.items()
    }
    base = figures["organisation"]["p95_ms"]
    result = {
        "machine": machine(),
        "database": connection.vendor,
        "scale": args.scale,
        "world": {k: report.get(k) for k in ("records", "seconds") if k in report},
        "follows": follows,
        "fan_out": fan,
        "unread": unread(user),
        "latency": figures,
        "ratio_home_to_organisation_p95": round(figures["home"]["p95_ms"] / base, 2),
        "ratio_home_cold_to_organisation_p95": round(figures["home_cold"]["p95_ms"] / base, 2),
        "target_ms": TARGET_MS,
    }
    name = f"notifications-{connection.vendor}"
    write_result(name, result)
    print(
        f"{connection.vendor}: home p95 {figures['home']['p95_ms']} ms "
        f"(cold {figures['home_cold']['p95_ms']} ms), organisation p95 {base} ms, "
        f"ratio {result['ratio_home_to_organisation_p95']}; fan-out {fan['entries_per_second']} "
        f"entries/s ({fan['notifications']} notifications); unread {result['unread']}"
    )
    if figures["home"]["p95_ms"] > TARGET_MS:
        raise SystemExit(f"home page p95 above {TARGET_MS} ms")


if __name__ == "__main__":
    main()
