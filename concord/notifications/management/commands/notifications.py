import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError
from django.http import Http404

from concord.core.management.base import ConcordCommand


def _problem(exc) -> str:
    return " ".join(getattr(exc, "messages", None) or [str(exc)])


class Command(ConcordCommand):
    help = (
        "Follow and notifications: 'follow' / 'unfollow' a record, a country or a space, "
        "'following' lists what a user follows, 'list' their notifications as they may see "
        "them now, 'digest' sends the e-mail digests that are due (--now: all of them), "
        "'fan-out' makes notifications from the audit trail (the worker does it too)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        for name in ("follow", "unfollow"):
            p = sub.add_parser(name, help=f"{name.capitalize()} MODEL ID as --as USER.")
            p.add_argument(
                "model",
                help='"operations.operation", "accountability.tranche"…, "core.country" or '
                '"core.space"',
            )
            p.add_argument("id", help="The record's id; a country's ISO3 code or id.")
            self.add_as_argument(p)
        self.add_as_argument(sub.add_parser("following", help="What --as USER follows."))
        lst = sub.add_parser("list", help="--as USER's notifications, as they may see them.")
        lst.add_argument("--all", action="store_true", help="Read ones too.")
        lst.add_argument("--limit", type=int, default=50)
        self.add_as_argument(lst)
        d = sub.add_parser("digest", help="Send the e-mail digests that are due.")
        d.add_argument("--now", action="store_true", help="Send every digest now, due or not.")
        sub.add_parser("fan-out", help="Notifications from the audit trail, up to its end.")
        f = sub.add_parser("frequency", help="Set --as USER's e-mail digest.")
        f.add_argument("frequency", choices=["none", "immediate", "daily", "weekly"])
        self.add_as_argument(f)

    def handle(self, action, **o):
        from concord.notifications import services

        if action == "digest":
            sent = services.send_digests(force=o["now"])
            for username, n in sent:
                self.stdout.write(f"{username}: {n} change{'s' if n != 1 else ''} e-mailed.")
            self.stdout.write(f"{len(sent)} digest{'s' if len(sent) != 1 else ''} sent.")
            return
        if action == "fan-out":
            self.stdout.write(f"{services.fan_out()} notifications made.")
            return
        actor = self.actor(o["as_user"])
        try:
            getattr(self, action.replace("-", "_"))(actor, o)
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError(_problem(exc)) from None

    def _id(self, model: str, value: str) -> str:
        if model == "core.country" and not value.isdigit():
            from concord.core.models import Country

            c = Country.objects.filter(alpha3=value.upper()).first()
            if c is None:
                raise CommandError(f"id: no country with ISO3 code {value!r}.")
            return str(c.pk)
        return value

    def follow(self, actor, o):
        from concord.notifications import services

        try:
            f = services.follow(o["model"], self._id(o["model"], o["id"]), actor=actor)
        except Http404:
            raise CommandError(f"id: no {o['model']} {o['id']!r} that you may see.") from None
        self.stdout.write(f"{actor.display} follows {f.model} {f.object_id}.")

    def unfollow(self, actor, o):
        from concord.notifications import services
        from concord.notifications.models import Follow

        object_id = self._id(o["model"], o["id"])
        f = Follow.objects.filter(user=actor.user, model=o["model"], object_id=object_id).first()
        if f is None:
            raise CommandError(f"{actor.display} does not follow {o['model']} {o['id']}.")
        services.unfollow(f, actor=actor)
        self.stdout.write(f"{actor.display} no longer follows {o['model']} {o['id']}.")

    def following(self, actor, o):
        from concord.notifications import access
        from concord.notifications.models import Follow

        rows = access.visible_follows(actor.user, Follow.objects.filter(user=actor.user))
        for f, t in rows:
            self.stdout.write(f"{f.pk:>6}  {t.kind:<9}  {f.model}:{f.object_id}  {t.title}")
        self.stdout.write(f"{len(rows)} followed.")

    def list(self, actor, o):
        from concord.notifications import access
        from concord.notifications.models import Notification

        if o["limit"] < 1:
            raise CommandError("--limit: give a number of 1 or more.")
        qs = Notification.objects.all()
        if not o["all"]:
            qs = qs.filter(read_at__isnull=True)
        items, more = access.visible_page(actor.user, qs, o["limit"])
        for s in items:
            when = s.at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M")
            read = " " if s.notification.read_at else "*"
            self.stdout.write(f"{read} {when}  {s.action}: {s.title} ({s.why}) {s.url}")
        self.stdout.write(f"{len(items)}{' (more)' if more else ''} shown; * unread.")

    def frequency(self, actor, o):
        from concord.notifications import services

        pref = services.set_frequency(o["frequency"], actor=actor)
        self.stdout.write(f"{actor.display}'s digest: {pref.get_frequency_display()}.")
