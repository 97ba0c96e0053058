"""Follow and notifications: what is followed, the fan-out from the audit trail, visibility
decided when a notification is shown or sent (never when made), the pages, the API, the CLI
and the e-mail digest."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.http import Http404
from django.test import Client

from concord.accountability.models import AccountabilityLine
from concord.core import services as core
from concord.core.context import Actor
from concord.core.models import AuditEntry, Classification, Organisation, Releasability, Role
from concord.notifications import access, services
from concord.notifications.models import Follow, Frequency, Notification, Preference
from concord.operations.models import Operation

from ..conftest import country, make_org, make_user

SYS = Actor.system("test")
C, R = Classification, Releasability


def actor(user):
    return Actor(user=user, interface="web")


@pytest.fixture
def w(db):
    class W:
        pass

    w = W()
    w.mli = country()
    w.own = make_org("OWN")
    w.oth = make_org("OTH")
    w.reader = make_user("reader", w.own, Role.EDITOR, C.CONFIDENTIAL)
    w.reader.email = "reader@example.org"
    w.reader.save()
    w.writer = make_user("writer", w.own, Role.EDITOR, C.CONFIDENTIAL)
    w.outsider = make_user("outsider", w.oth, Role.EDITOR, C.CONFIDENTIAL)
    w.admin = make_user("root", None, Role.VIEWER, C.STRICTLY_CONFIDENTIAL, admin=True)
    return w


def org(name, owner, cls=C.INTERNAL, rel=R.OWNER, who=SYS, **kw):
    return core.save(
        Organisation(
            name=name, kind="other", owner=owner, classification=cls, releasability=rel, **kw
        ),
        actor=who,
    )


def titles(user) -> list[str]:
    return [s.title for s in access.visible_page(user, Notification.objects.all(), 100)[0]]


# --- following --------------------------------------------------------------------------------


def test_one_follows_only_what_one_may_see_and_following_twice_changes_nothing(w):
    mine = org("Visible org", w.own)
    theirs = org("Their secret org", w.oth, C.CONFIDENTIAL)
    f = services.follow("core.organisation", mine.pk, actor=actor(w.reader))
    assert services.follow("core.organisation", str(mine.pk), actor=actor(w.reader)) == f
    assert Follow.objects.filter(user=w.reader).count() == 1
    assert AuditEntry.objects.filter(model="notifications.follow", action="create").count() == 1
    with pytest.raises(Http404):
        services.follow("core.organisation", theirs.pk, actor=actor(w.reader))
    with pytest.raises(Http404):  # the platform administrator gains no right to read
        services.follow("core.organisation", theirs.pk, actor=actor(w.admin))
    with pytest.raises(ValidationError) as exc:
        services.follow("core.user", w.writer.pk, actor=actor(w.reader))
    assert "model" in exc.value.message_dict
    with pytest.raises(Http404):
        services.follow("core.country", 999999, actor=actor(w.reader))
    with pytest.raises(PermissionDenied):
        services.follow("core.country", w.mli.pk, actor=Actor(user=None, interface="web"))
    with pytest.raises(PermissionDenied):
        services.unfollow(f, actor=actor(w.writer))
    services.unfollow(f, actor=actor(w.reader))
    assert not Follow.objects.filter(user=w.reader).exists()


def test_the_following_page_lists_only_what_one_may_still_see(w):
    rec = org("Soon hidden org", w.own, C.INTERNAL, R.SIGNED_IN)
    services.follow("core.organisation", rec.pk, actor=actor(w.outsider))
    services.follow("core.country", w.mli.pk, actor=actor(w.outsider))
    c = Client()
    c.force_login(w.outsider)
    page = c.get("/following/").content.decode()
    assert "Soon hidden org" in page and "Mali" in page
    rec.releasability = R.OWNER
    core.save(rec, actor=SYS)
    page = c.get("/following/").content.decode()
    assert "Soon hidden org" not in page and "Mali" in page
    api = c.get("/api/v1/notifications/follows/").json()
    assert [r["title"] for r in api["results"]] == ["Mali"]
    hidden = Follow.objects.get(user=w.outsider, model="core.organisation")
    assert c.get(f"/api/v1/notifications/follows/{hidden.pk}/").status_code == 404


def test_the_follow_button_works_as_a_form_and_with_htmx(w):
    rec = org("Followable org", w.own)
    c = Client()
    c.force_login(w.reader)
    page = c.get(rec.get_absolute_url()).content.decode()
    assert 'name="model" value="core.organisation"' in page and ">Follow<" in page
    r = c.post(
        "/follow/",
        {"model": "core.organisation", "object_id": rec.pk, "next": rec.get_absolute_url()},
    )
    assert r.status_code == 302 and r["Location"] == rec.get_absolute_url()
    assert Follow.objects.filter(user=w.reader, object_id=str(rec.pk)).exists()
    assert "Following · Unfollow" in c.get(rec.get_absolute_url()).content.decode()
    r = c.post(
        "/follow/",
        {"model": "core.organisation", "object_id": rec.pk, "unfollow": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200 and ">Follow<" in r.content.decode()
    assert not Follow.objects.filter(user=w.reader).exists()
    # a country page and the spaces page have the button too
    assert 'value="core.country"' in c.get("/countries/MLI/").content.decode()
    # bad input: a model that cannot be followed names the field; a hidden record is absent
    r = c.post("/follow/", {"model": "core.user", "object_id": w.reader.pk}, follow=True)
    assert "cannot be followed" in r.content.decode()
    theirs = org("Their org", w.oth, C.CONFIDENTIAL)
    assert (
        c.post("/follow/", {"model": "core.organisation", "object_id": theirs.pk}).status_code
        == 404
    )
    assert Client().get(rec.get_absolute_url()).content.decode().count('action="/follow/"') == 0


# --- the fan-out ------------------------------------------------------------------------------


def test_followers_of_the_record_its_operation_its_country_and_its_space_are_notified(w):
    space = core.create_space(actor=SYS, name="Partners", organisations=[w.own, w.oth])
    op = core.save(
        Operation(
            name="Op Follow",
            kind="enforcement",
            framework="ad_hoc",
            start=dt.date(2020, 1, 1),
            owner=w.own,
            classification=0,
            releasability="public",
        ),
        actor=SYS,
        m2m={"host_countries": [w.mli]},
    )
    fans = {
        n: make_user(n, w.own, Role.VIEWER, C.CONFIDENTIAL) for n in ("rec", "op", "cty", "spc")
    }
    services.follow("operations.operation", op.pk, actor=actor(fans["op"]))
    services.follow("core.country", w.mli.pk, actor=actor(fans["cty"]))
    services.follow("core.space", space.pk, actor=actor(fans["spc"]))
    services.fan_out()
    line = core.save(
        AccountabilityLine(
            operation=op,
            body="security_council",
            mechanism="mandate_reporting",
            owner=w.own,
            classification=C.INTERNAL,
            releasability=R.SPACES,
        ),
        actor=actor(w.writer),
        m2m={"shared_spaces": [space]},
    )
    services.follow("accountability.accountabilityline", line.pk, actor=actor(fans["rec"]))
    services.follow("accountability.accountabilityline", line.pk, actor=actor(w.writer))
    line.frequency = "every 90 days"
    core.save(line, actor=actor(w.writer))
    services.fan_out()
    entries = AuditEntry.objects.filter(model="accountability.accountabilityline")
    create, update = entries.order_by("seq")
    got = {
        (n.user.username, n.entry_id)
        for n in Notification.objects.filter(entry_id__in=[create.seq, update.seq])
    }
    assert got == {
        ("op", create.seq),
        ("cty", create.seq),
        ("spc", create.seq),
        ("op", update.seq),
        ("cty", update.seq),
        ("spc", update.seq),
        ("rec", update.seq),
    }  # the writer is never told of their own change; "rec" followed after the creation
    why = {
        s.notification.user.username: s.why
        for u in fans.values()
        for s in access.shown(
            u, u.notifications.filter(entry_id=update.seq).select_related("entry")
        )
    }
    assert why["op"] == "about Op Follow, an operation you follow"
    assert why["cty"] == "in Mali, a country you follow"
    assert why["spc"] == "shared with Partners, a space you follow"
    assert why["rec"].endswith("which you follow")
    # a rerun makes nothing twice
    from concord.notifications.models import Cursor

    Cursor.objects.update(seq=0)
    services.fan_out()
    assert Notification.objects.filter(entry_id__in=[create.seq, update.seq]).count() == 7


def test_a_record_reclassified_after_the_change_does_not_leak(w):
    """The notification was made while the reader could see the record; the record is then
    made confidential to another organisation: it is gone from the list, the unread count,
    the home page, the API and the e-mail digest, and its title appears nowhere."""
    services.follow("core.country", w.mli.pk, actor=actor(w.reader))
    services.set_frequency("daily", actor=actor(w.reader))
    rec = org("Leaky title", w.oth, C.INTERNAL, R.SIGNED_IN, country=w.mli)
    services.fan_out()
    assert titles(w.reader) == ["Leaky title"]
    assert access.unread(w.reader) == (1, False)
    rec.name, rec.releasability, rec.classification = "Secret title", R.OWNER, C.CONFIDENTIAL
    core.save(rec, actor=SYS)
    services.fan_out()
    assert Notification.objects.filter(user=w.reader).count() == 2  # made, never shown
    assert titles(w.reader) == []
    assert access.unread(w.reader) == (0, False)
    c = Client()
    c.force_login(w.reader)
    for url in (
        "/",
        "/notifications/",
        "/notifications/?show=all",
        "/api/v1/notifications/notifications/",
        "/api/v1/notifications/attention/",
    ):
        text = c.get(url).content.decode()
        assert "Leaky title" not in text and "Secret title" not in text, url
    assert 'class="badge"' not in c.get("/notifications/").content.decode()
    mail.outbox.clear()
    assert services.send_digests(force=True) == []
    assert mail.outbox == []
    # claimed all the same: never sent later either, even if shared again
    assert not Notification.objects.filter(user=w.reader, mailed_at__isnull=True).exists()


def test_a_downgrade_never_shows_the_old_title_and_a_deletion_only_to_who_saw_it(w):
    services.follow("core.country", w.mli.pk, actor=actor(w.reader))
    rec = org("Old secret name", w.oth, C.CONFIDENTIAL, R.OWNER, country=w.mli)
    rec.name, rec.releasability, rec.classification = "Public name", R.SIGNED_IN, C.INTERNAL
    core.save(rec, actor=SYS)
    services.fan_out()
    shown = access.visible_page(w.reader, Notification.objects.all(), 10)[0]
    # the creation and the downgrade were not visible on both sides: neither is shown
    assert shown == []
    rec.description = "now changed"
    core.save(rec, actor=SYS)
    services.fan_out()
    assert titles(w.reader) == ["Public name"]
    core.delete(rec, actor=SYS)
    services.fan_out()
    assert titles(w.reader) == ["Public name", "Public name"]
    assert all(
        s.url == "" for s in access.visible_page(w.reader, Notification.objects.all(), 10)[0][:1]
    )
    assert titles(w.outsider) == []


def test_the_unread_count_is_capped(w):
    services.follow("core.country", w.mli.pk, actor=actor(w.reader))
    for i in range(101):
        org(f"Org {i}", w.own, C.PUBLIC, R.PUBLIC, country=w.mli)
    services.fan_out()
    assert access.unread(w.reader) == (99, True)
    c = Client()
    c.force_login(w.reader)
    assert '<mark class="badge">99+</mark>' in c.get("/notifications/").content.decode()


def test_reading_one_and_all(w):
    services.follow("core.country", w.mli.pk, actor=actor(w.reader))
    a = org("First", w.own, country=w.mli)
    org("Second", w.own, country=w.mli)
    services.fan_out()
    c = Client()
    c.force_login(w.reader)
    n = Notification.objects.get(user=w.reader, entry__object_id=str(a.pk))
    other = make_user("other", w.own)
    # another person's notification id is ignored, as absent
    assert services.mark_read([n.pk], actor=actor(other)) == 0
    r = c.post("/notifications/read/", {"id": n.pk})
    assert r.status_code == 302
    assert access.unread(w.reader) == (1, False)
    assert "First" not in c.get("/notifications/").content.decode()
    assert "First" in c.get("/notifications/?show=all").content.decode()
    r = c.post("/notifications/read/", {"id": "abc"}, follow=True)
    assert "Give notification ids" in r.content.decode()
    c.post("/notifications/read/", {"all": "1"})
    assert access.unread(w.reader) == (0, False)
    assert c.get("/notifications/read/").status_code == 405


# --- e-mail digests ---------------------------------------------------------------------------


def test_digest_preference_and_its_bad_input(w):
    c = Client()
    c.force_login(w.writer)  # no e-mail address
    r = c.post("/notifications/settings/", {"frequency": "daily"})
    assert r.status_code == 400 and "no e-mail address" in r.content.decode()
    r = c.post("/notifications/settings/", {"frequency": "hourly"})
    assert r.status_code == 400 and "hourly" in r.content.decode()
    c.force_login(w.reader)
    assert c.post("/notifications/settings/", {"frequency": "weekly"}).status_code == 302
    assert Preference.objects.get(user=w.reader).frequency == Frequency.WEEKLY
    r = c.post(
        "/api/v1/notifications/digest/", {"frequency": "sometimes"}, content_type="application/json"
    )
    assert r.status_code == 400 and "frequency" in r.content.decode()
    r = c.post(
        "/api/v1/notifications/digest/", {"frequency": "daily"}, content_type="application/json"
    )
    assert r.json()["frequency"] == "daily"
    assert c.get("/api/v1/notifications/digest/").json()["frequency"] == "daily"


def test_digests_go_when_due_and_each_notification_is_mailed_once(w):
    services.follow("core.country", w.mli.pk, actor=actor(w.reader))
    services.set_frequency("daily", actor=actor(w.reader))
    org("Digest one", w.own, country=w.mli)
    services.fan_out()
    mail.outbox.clear()
    t0 = dt.datetime(2026, 12, 1, 8, tzinfo=dt.UTC)
    assert services.send_digests(t0) == [("reader", 1)]
    assert "Digest one" in mail.outbox[0].body and mail.outbox[0].to == ["reader@example.org"]
    org("Digest two", w.own, country=w.mli)
    services.fan_out()
    assert services.send_digests(t0 + dt.timedelta(hours=2)) == []  # not due yet
    assert services.send_digests(t0 + dt.timedelta(days=1)) == [("reader", 1)]
    body = mail.outbox[-1].body
    assert "Digest two" in body and "Digest one" not in body
    assert services.send_digests(t0 + dt.timedelta(days=3), force=True) == []
    assert len(mail.outbox) == 2


def test_a_digest_is_written_in_its_readers_language(w):
    """The e-mail is worded in the recipient's language (their account's), whatever the
    language of the code that sends it; with none chosen, in the default language."""
    from django.utils import translation

    w.writer.email = "writer@example.org"
    w.writer.save()
    w.reader.language = "fr"
    w.reader.save()
    for user in (w.reader, w.writer):
        services.follow("core.country", w.mli.pk, actor=actor(user))
        services.set_frequency("daily", actor=actor(user))
    org("Digest en français", w.own, country=w.mli)
    services.fan_out()
    mail.outbox.clear()
    with translation.override("en"):
        sent = services.send_digests(force=True)
    assert sorted(sent) == [("reader", 1), ("writer", 1)]
    french = next(m for m in mail.outbox if m.to == ["reader@example.org"])
    english = next(m for m in mail.outbox if m.to == ["writer@example.org"])
    assert french.subject == "Concord\u00a0: 1 modification de ce que vous suivez"
    assert "Bonjour reader," in french.body
    assert "Création\u00a0: Digest en français" in french.body
    assert "un pays que vous suivez" in french.body and "Toutes vos notifications" in french.body
    assert english.subject == "Concord: 1 change to what you follow"
    assert "Hello writer," in english.body and "a country you follow" in english.body
    assert translation.get_language() == "en"  # the reader's language did not leak out


def test_the_pages_and_the_home_page_speak_the_readers_language(w):
    """The same reader, the same unread notifications, kept (``access.memo``) per language."""
    from django.utils import translation

    services.follow("core.country", w.mli.pk, actor=actor(w.reader))
    org("Bilingual", w.own, country=w.mli)
    services.fan_out()
    c = Client()
    c.force_login(w.reader)
    with translation.override("en"):  # the requests' language stays in this test
        assert "a country you follow" in c.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        home = c.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        assert "Modifications de ce que vous suivez" in home and "un pays que vous suivez" in home
        page = c.get("/notifications/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        assert "Tout marquer comme lu" in page and "Création" in page


def test_a_crash_while_sending_never_sends_twice(w, monkeypatch):
    services.follow("core.country", w.mli.pk, actor=actor(w.reader))
    services.set_frequency("immediate", actor=actor(w.reader))
    org("Crash item", w.own, country=w.mli)
    services.fan_out()
    mail.outbox.clear()
    from concord.notifications.services import digest

    def boom(*a, **k):
        raise ConnectionError("mail server down")

    monkeypatch.setattr(digest, "send_mail", boom)
    assert services.send_digests() == []  # logged, the others go on
    monkeypatch.undo()
    assert services.send_digests() == []
    assert mail.outbox == []  # claimed before sending: at most once


def test_the_digest_task_and_the_cli(w):
    from concord.notifications.tasks import fan_out_task, send_digests_task

    services.follow("core.country", w.mli.pk, actor=actor(w.reader))
    services.set_frequency("immediate", actor=actor(w.reader))
    org("Task item", w.own, country=w.mli)
    mail.outbox.clear()
    assert fan_out_task.call() == 1
    # "immediate": the fan-out queued the digest job; the worker sends it.
    assert mail.outbox == []
    from ..jobs.test_jobs import work

    work()
    assert "Task item" in mail.outbox[0].body
    assert send_digests_task.call() == 0
    out = io.StringIO()
    call_command("notifications", "digest", "--now", stdout=out)
    assert "0 digests sent" in out.getvalue()


# --- CLI and API ------------------------------------------------------------------------------


def test_cli_follow_following_list_and_bad_input(w):
    out = io.StringIO()
    call_command("notifications", "follow", "core.country", "mli", "--as", "reader", stdout=out)
    assert "reader follows core.country" in out.getvalue()
    rec = org("Cli item", w.own, country=w.mli)
    call_command("notifications", "fan-out", stdout=out)
    out = io.StringIO()
    call_command("notifications", "following", "--as", "reader", stdout=out)
    assert "Mali" in out.getvalue()
    out = io.StringIO()
    call_command("notifications", "list", "--as", "reader", stdout=out)
    assert "Cli item" in out.getvalue()
    with pytest.raises(CommandError, match="id: no country"):
        call_command("notifications", "follow", "core.country", "XXX", "--as", "reader")
    with pytest.raises(CommandError, match="cannot be followed"):
        call_command("notifications", "follow", "core.user", "1", "--as", "reader")
    theirs = org("Their cli org", w.oth, C.CONFIDENTIAL)
    with pytest.raises(CommandError, match="that you may see"):
        call_command(
            "notifications", "follow", "core.organisation", str(theirs.pk), "--as", "reader"
        )
    with pytest.raises(CommandError, match="--as"):
        call_command("notifications", "following", "--as", "nobody")
    with pytest.raises(CommandError, match="no e-mail"):
        call_command("notifications", "frequency", "daily", "--as", "writer")
    call_command("notifications", "unfollow", "core.country", "MLI", "--as", "reader", stdout=out)
    assert not Follow.objects.filter(user=w.reader).exists()
    assert rec.pk


def test_api_follows_notifications_and_attention(w):
    c = Client()
    c.force_login(w.reader)
    base = "/api/v1/notifications"
    r = c.post(
        f"{base}/follows/",
        {"model": "core.country", "object_id": str(w.mli.pk)},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["title"] == "Mali" and r.json()["kind"] == "country"
    fid = r.json()["id"]
    r = c.post(
        f"{base}/follows/",
        {"model": "core.nothing", "object_id": "1"},
        content_type="application/json",
    )
    assert r.status_code == 400 and "model" in r.content.decode()
    org("Api item", w.own, country=w.mli)
    services.fan_out()
    rows = c.get(f"{base}/notifications/?unread=true").json()["results"]
    assert [x["title"] for x in rows] == ["Api item"] and rows[0]["read"] is False
    r = c.post(
        f"{base}/notifications/read/", {"ids": [rows[0]["id"]]}, content_type="application/json"
    )
    assert r.json() == {"marked_read": 1}
    assert c.get(f"{base}/notifications/?unread=true").json()["count"] == 0
    r = c.post(f"{base}/notifications/read/", {"ids": ["x"]}, content_type="application/json")
    assert r.status_code == 400 and "ids" in r.content.decode()
    assert c.post(f"{base}/notifications/read-all/").json() == {"marked_read": 0}
    groups = c.get(f"{base}/attention/").json()
    assert isinstance(groups, list)
    # someone else's follow is absent; deleting one's own works
    other = Client()
    other.force_login(w.writer)
    assert other.delete(f"{base}/follows/{fid}/").status_code == 404
    assert c.delete(f"{base}/follows/{fid}/").status_code == 204
    assert Client().get(f"{base}/follows/").status_code in (401, 403)
    assert Client().get(f"{base}/attention/").status_code in (401, 403)


def test_the_platform_administrator_reads_nothing_through_notifications(w):
    services.follow("core.country", w.mli.pk, actor=actor(w.admin))
    org("Admin cannot see", w.oth, C.CONFIDENTIAL, R.OWNER, country=w.mli)
    org("Admin may see", w.oth, C.INTERNAL, R.SIGNED_IN, country=w.mli)
    services.fan_out()
    assert Notification.objects.filter(user=w.admin).count() == 2
    c = Client()
    c.force_login(w.admin)
    for url in ("/", "/notifications/", "/api/v1/notifications/notifications/"):
        text = c.get(url).content.decode()
        assert "Admin cannot see" not in text and "Admin may see" in text, url
    assert json.loads(c.get("/api/v1/notifications/notifications/").content)["count"] == 1
