"""Platform and organisation administration: organisations added by an administrator,
invitations (expiring, one use), managers never granting above their own role or clearance,
deactivation, every API token, and what the first administrator does in the web UI."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from concord.administration import services
from concord.administration.models import Invitation
from concord.core import services as core
from concord.core.context import Actor
from concord.core.models import (
    ApiToken,
    AuditEntry,
    Classification,
    Membership,
    Organisation,
    Role,
    User,
)

from ..conftest import make_org, make_user

C = Classification


@pytest.fixture
def team(db):
    org = make_org("TEAM")
    other = make_org("ELSE")
    manager = make_user("boss", org, Role.MANAGER, C.CONFIDENTIAL)
    editor = make_user("ed", org, Role.EDITOR, C.INTERNAL)
    admin = make_user("root", None, admin=True, clearance=C.INTERNAL)
    return org, other, manager, editor, admin


def web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def link_in(message) -> str:
    return re.search(r"https?://\S+/invitations/\S+/", message.body).group(0)


# --- first run: the administrator adds an organisation and invites its manager -------------


def test_an_administrator_adds_an_organisation_in_the_web_ui_and_edits_it(team):
    *_, admin = team
    client = web(admin)
    page = client.get("/organisations/add/")
    assert page.status_code == 200 and "The organisation itself" in page.content.decode()
    response = client.post(
        "/organisations/add/",
        {
            "name": "Intergovernmental Authority on Development",
            "acronym": "IGAD",
            "kind": "regional",
            "classification": "0",
            "releasability": "public",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    org = Organisation.objects.get(acronym="IGAD")
    assert org.owner_id == org.pk  # it owns its own entry
    entry = AuditEntry.objects.filter(model="core.organisation", object_id=str(org.pk)).get()
    assert entry.action == "create" and entry.actor_id == admin.pk
    assert 'name="owner"' not in client.get(f"/organisations/{org.pk}/edit/").content.decode()
    response = client.post(
        f"/organisations/{org.pk}/edit/",
        {
            "name": "IGAD secretariat",
            "acronym": "IGAD",
            "kind": "regional",
            "classification": "0",
            "releasability": "public",
        },
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.name == "IGAD secretariat"


def test_an_administrator_who_is_also_a_member_adds_a_self_owned_organisation(team):
    org, other, manager, editor, admin = team
    Membership.objects.create(user=admin, organisation=other, role=Role.EDITOR)
    client = web(admin)
    fields = {
        "name": "Platform member",
        "kind": "ingo",
        "classification": "0",
        "releasability": "public",
    }
    assert client.post("/organisations/add/", {**fields, "owner": ""}).status_code == 302
    made = Organisation.objects.get(name="Platform member")
    assert made.owner_id == made.pk
    fields["name"] = "Recorded by ELSE"
    assert client.post("/organisations/add/", {**fields, "owner": other.pk}).status_code == 302
    assert Organisation.objects.get(name="Recorded by ELSE").owner_id == other.pk
    # Nobody else may leave the owner out.
    response = web(editor).post("/organisations/add/", {**fields, "name": "No owner", "owner": ""})
    assert response.status_code == 400 and not Organisation.objects.filter(name="No owner").exists()


def test_an_administrator_edits_no_organisation_owned_by_another(team):
    org, other, manager, editor, admin = team
    owned = core.save(
        Organisation(
            name="Owned entry", kind="ingo", owner=org, classification=0, releasability="public"
        ),
        actor=Actor.system("t"),
    )
    assert web(admin).get(f"/organisations/{owned.pk}/edit/").status_code == 403
    owned.name = "Renamed"
    with pytest.raises(PermissionDenied):
        core.save(owned, actor=Actor(user=admin, interface="web"))


def test_the_first_run_path_invite_a_manager_who_invites_a_colleague(
    team, django_capture_on_commit_callbacks
):
    org, other, manager, editor, admin = team
    with django_capture_on_commit_callbacks(execute=True):
        response = web(admin).post(
            "/administration/invitations/new/",
            {
                "email": "Amina@Example.org",
                "organisation": org.pk,
                "role": "manager",
                "clearance": str(C.CONFIDENTIAL),
            },
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["amina@example.org"]
    link = link_in(mail.outbox[0])
    path = link.split("testserver", 1)[-1]
    anonymous = Client()
    assert "Join TEAM" in anonymous.get(path).content.decode()
    response = anonymous.post(
        path,
        {
            "username": "amina",
            "password1": "correct horse 42 staple",
            "password2": "correct horse 42 staple",
        },
    )
    assert response.status_code == 302
    amina = User.objects.get(username="amina")
    assert amina.email == "amina@example.org" and amina.clearance == C.CONFIDENTIAL
    assert Membership.objects.get(user=amina, organisation=org).role == Role.MANAGER
    # The link works once, and says so.
    again = anonymous.get(path)
    assert again.status_code == 410 and "already been used" in again.content.decode()
    # The new manager invites a colleague from the members page.
    response = anonymous.post(
        "/login/", {"username": "amina", "password": "correct horse 42 staple"}
    )
    assert response.status_code == 302
    assert "Members of TEAM" in anonymous.get("/members/").content.decode()
    response = anonymous.post(
        "/administration/invitations/new/",
        {
            "email": "colleague@example.org",
            "organisation": org.pk,
            "role": "editor",
            "clearance": str(C.INTERNAL),
        },
    )
    assert response.status_code == 302
    assert Invitation.objects.filter(email="colleague@example.org", invited_by=amina).exists()


def test_expired_revoked_and_unknown_links_say_why_and_create_nothing(team):
    org, other, manager, *_ = team
    actor = Actor(user=manager, interface="web")
    expired, key1 = services.invite(actor=actor, email="late@example.org", organisation=org)
    Invitation.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - dt.timedelta(hours=1)
    )
    revoked, key2 = services.invite(actor=actor, email="gone@example.org", organisation=org)
    services.revoke_invitation(actor=actor, invitation=revoked)
    client = Client()
    before = User.objects.count()
    for key, words in ((key1, "expired on"), (key2, "withdrawn"), ("nonsense", "not valid")):
        response = client.post(
            f"/invitations/{key}/",
            {"username": "x", "password1": "p4ss word long", "password2": "p4ss word long"},
        )
        assert response.status_code == 410 and words in response.content.decode()
    assert User.objects.count() == before


def test_a_bad_password_on_acceptance_names_the_field_and_keeps_the_invitation(team):
    org, other, manager, *_ = team
    _, key = services.invite(
        actor=Actor(user=manager, interface="web"), email="p@example.org", organisation=org
    )
    response = Client().post(
        f"/invitations/{key}/", {"username": "p", "password1": "123", "password2": "123"}
    )
    assert response.status_code == 400
    assert 'id="id_password1_error"' in response.content.decode()
    assert Invitation.objects.get(email="p@example.org").state == "pending"


# --- managers: never above their own role or clearance -------------------------------------


def test_a_manager_may_not_grant_a_clearance_above_their_own(team):
    org, other, manager, editor, admin = team
    actor = Actor(user=manager, interface="web")
    with pytest.raises(ValidationError) as exc:
        services.invite(
            actor=actor, email="x@example.org", organisation=org, clearance=C.STRICTLY_CONFIDENTIAL
        )
    assert "clearance" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.set_clearance(
            actor=actor, user=editor, clearance=C.STRICTLY_CONFIDENTIAL, organisation=org
        )
    assert "clearance" in exc.value.message_dict
    services.set_clearance(actor=actor, user=editor, clearance=C.CONFIDENTIAL, organisation=org)
    editor.refresh_from_db()
    assert editor.clearance == C.CONFIDENTIAL
    # Through the page: the refusal is shown and nothing changes.
    response = web(manager).post(
        "/members/",
        {
            "organisation": org.pk,
            "user": editor.pk,
            "action": "change",
            f"m{Membership.objects.get(user=editor).pk}-role": "editor",
            f"m{Membership.objects.get(user=editor).pk}-clearance": str(C.STRICTLY_CONFIDENTIAL),
        },
        follow=True,
    )
    assert "Select a valid choice" in response.content.decode()
    editor.refresh_from_db()
    assert editor.clearance == C.CONFIDENTIAL


def test_a_manager_manages_only_their_own_organisation(team):
    org, other, manager, editor, admin = team
    outsider = make_user("outsider", other, Role.VIEWER)
    actor = Actor(user=manager, interface="web")
    with pytest.raises(PermissionDenied):
        services.invite(actor=actor, email="y@example.org", organisation=other)
    with pytest.raises(ValidationError):
        services.set_role(actor=actor, user=outsider, organisation=org, role=Role.EDITOR)
    with pytest.raises(PermissionDenied):
        services.remove_member(actor=actor, user=outsider, organisation=other)
    editor_actor = Actor(user=editor, interface="web")
    with pytest.raises(PermissionDenied):
        services.invite(actor=editor_actor, email="z@example.org", organisation=org)
    assert web(editor).get("/members/").status_code == 403
    assert web(manager).get(f"/members/?organisation={other.pk}").status_code == 404


def test_the_members_menu_shows_to_managers_and_administrators_only(team):
    """The menu's check answers a manager of nobody from the roles already loaded; a
    manager, whatever their other roles, and an administrator still see it."""
    from concord.administration.access import manages_an_organisation

    org, other, manager, editor, admin = team
    Membership.objects.create(user=manager, organisation=other, role=Role.VIEWER)
    assert manages_an_organisation(User.objects.get(pk=manager.pk))
    assert manages_an_organisation(admin)
    assert not manages_an_organisation(editor)
    for user, shown in ((manager, True), (admin, True), (editor, False)):
        page = web(user).get("/").content.decode()
        assert ('href="/members/"' in page) is shown, user


def test_the_last_manager_cannot_step_down_or_be_removed(team):
    org, other, manager, editor, admin = team
    actor = Actor(user=manager, interface="web")
    with pytest.raises(ValidationError) as exc:
        services.set_role(actor=actor, user=manager, organisation=org, role=Role.EDITOR)
    assert "last manager" in str(exc.value)
    with pytest.raises(ValidationError):
        services.remove_member(actor=actor, user=manager, organisation=org)
    services.remove_member(actor=actor, user=editor, organisation=org)
    assert not Membership.objects.filter(user=editor, organisation=org).exists()
    entry = AuditEntry.objects.filter(model="core.membership", action="delete").get()
    assert entry.actor_id == manager.pk and entry.owner_id == org.pk


def test_a_manager_may_not_lower_someone_cleared_above_them(team):
    org, other, manager, editor, admin = team
    top = make_user("top", org, Role.VIEWER, C.STRICTLY_CONFIDENTIAL)
    with pytest.raises(ValidationError) as exc:
        services.set_clearance(
            actor=Actor(user=manager, interface="web"),
            user=top,
            clearance=C.INTERNAL,
            organisation=org,
        )
    assert "cleared above you" in str(exc.value)


def test_an_existing_account_joins_with_the_invited_address(team):
    org, other, manager, editor, admin = team
    user = make_user("elsewhere", other, Role.EDITOR, C.PUBLIC)
    User.objects.filter(pk=user.pk).update(email="elsewhere@example.org")
    user.refresh_from_db()
    _, key = services.invite(
        actor=Actor(user=manager, interface="web"),
        email="elsewhere@example.org",
        organisation=org,
        role=Role.VIEWER,
        clearance=C.INTERNAL,
    )
    stranger = make_user("stranger", other)
    with pytest.raises(ValidationError):
        services.accept_invitation(key, user=stranger)
    services.accept_invitation(key, user=user)
    user.refresh_from_db()
    assert Membership.objects.get(user=user, organisation=org).role == Role.VIEWER
    assert user.clearance == C.INTERNAL  # raised to the invitation's


# --- accounts -------------------------------------------------------------------------------


def test_a_deactivated_account_loses_its_session_and_its_tokens_at_once(team):
    org, other, manager, editor, admin = team
    session = web(editor)
    assert session.get("/tokens/").status_code == 200
    token, key = core.create_token(actor=Actor(user=editor, interface="web"), name="sync")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get("/api/v1/core/organisations/").status_code == 200
    response = web(admin).post(f"/administration/users/{editor.pk}/", {"action": "deactivate"})
    assert response.status_code == 302
    assert session.get("/tokens/").status_code == 302  # to the sign-in page
    assert api.get("/api/v1/core/organisations/").status_code == 401
    entry = AuditEntry.objects.filter(model="core.user", object_id=str(editor.pk)).last()
    assert entry.changes == {"is_active": [True, False]} and entry.actor_id == admin.pk
    with pytest.raises(ValidationError):
        services.set_active(actor=Actor(user=admin, interface="web"), user=admin, active=False)
    services.set_active(actor=Actor(user=admin, interface="web"), user=editor, active=True)
    assert api.get("/api/v1/core/organisations/").status_code == 200


def test_administration_pages_are_for_administrators(team):
    org, other, manager, editor, admin = team
    for path in (
        "/administration/",
        f"/administration/users/{editor.pk}/",
        "/administration/tokens/",
        "/administration/merge/",
        "/administration/spaces/",
    ):
        assert web(manager).get(path).status_code == 403, path
        assert web(admin).get(path).status_code == 200, path
        assert Client().get(path).status_code == 302, path


def test_an_administrator_revokes_anyones_token(team):
    org, other, manager, editor, admin = team
    token, _ = core.create_token(actor=Actor(user=editor, interface="web"), name="leaked")
    page = web(admin).get("/administration/tokens/").content.decode()
    assert "leaked" in page and token.prefix in page and "key_hash" not in page
    assert web(admin).post(f"/administration/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    other_token, _ = core.create_token(actor=Actor(user=editor, interface="web"), name="mine")
    assert web(manager).post(f"/administration/tokens/{other_token.pk}/revoke/").status_code == 403
    assert ApiToken.objects.get(pk=other_token.pk).revoked_at is None


def test_the_administrators_pages_name_no_organisation_they_may_not_see(team):
    org, other, manager, editor, admin = team
    secret = core.save(
        Organisation(
            name="Very secret org",
            kind="local",
            owner=org,
            classification=C.CONFIDENTIAL,
            releasability="owner",
        ),
        actor=Actor.system("t"),
    )
    services.invite(actor=Actor.system("t"), email="s@example.org", organisation=secret)
    make_user("member_of_secret", secret, Role.VIEWER)
    page = web(admin).get("/administration/").content.decode()
    assert "Very secret org" not in page and "(restricted)" in page


def test_the_import_says_why_an_account_without_a_role_owns_nothing(team, tmp_path):
    """It said "you belong to several" to an administrator who belongs to none."""
    org, other, manager, editor, admin = team
    make_user("two_hats", org, Role.EDITOR)
    Membership.objects.create(
        user=User.objects.get(username="two_hats"), organisation=other, role="editor"
    )
    path = tmp_path / "orgs.csv"
    path.write_text("name,kind\nNew NGO,ingo\n")
    with pytest.raises(CommandError) as exc:
        call_command("import", "organisations", str(path), "--as", "root")
    assert "not a contributor, editor or manager of any organisation" in str(exc.value)
    assert "several" not in str(exc.value)
    with pytest.raises(CommandError) as exc:
        call_command("import", "organisations", str(path), "--as", "two_hats")
    assert "you may create records for" in str(exc.value) and "ELSE" in str(exc.value)
    assert not Organisation.objects.filter(name="New NGO").exists()


def test_api_invitations_and_accounts(team):
    org, other, manager, editor, admin = team
    api = web(manager)
    response = api.post(
        "/api/v1/administration/invitations/",
        {
            "email": "api@example.org",
            "organisation": org.pk,
            "role": "manager",
            "clearance": C.STRICTLY_CONFIDENTIAL,
        },
        content_type="application/json",
    )
    assert response.status_code == 400 and "clearance" in response.json()["error"]["fields"]
    response = api.post(
        "/api/v1/administration/invitations/",
        {
            "email": "api@example.org",
            "organisation": org.pk,
            "role": "editor",
            "clearance": C.INTERNAL,
        },
        content_type="application/json",
    )
    assert response.status_code == 201 and "/invitations/" in response.json()["link"]
    assert api.get("/api/v1/administration/users/").status_code == 403
    response = web(admin).patch(
        f"/api/v1/administration/users/{editor.pk}/",
        {"clearance": C.CONFIDENTIAL},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["clearance"] == C.CONFIDENTIAL
    ids = [m["id"] for m in api.get("/api/v1/administration/memberships/").json()["results"]]
    assert set(ids) == set(Membership.objects.filter(organisation=org).values_list("pk", flat=True))


# --- administering is never a way to read (security review of issue 16) ---------------------


def test_an_administrator_never_widens_their_own_access(team):
    org, other, manager, editor, admin = team
    actor = Actor(user=admin, interface="web")
    with pytest.raises(PermissionDenied, match="another administrator"):
        services.set_role(actor=actor, user=admin, organisation=org, role=Role.MANAGER)
    with pytest.raises(PermissionDenied, match="another administrator"):
        services.set_clearance(actor=actor, user=admin, clearance=C.STRICTLY_CONFIDENTIAL)
    User.objects.filter(pk=admin.pk).update(email="root@example.org")
    admin.refresh_from_db()
    with pytest.raises(ValidationError, match="yourself"):
        services.invite(actor=actor, email="root@example.org", organisation=org)
    assert not Membership.objects.filter(user=admin).exists()
    # Nor through a space an organisation of theirs joins.
    Membership.objects.create(user=admin, organisation=other, role=Role.VIEWER)
    space = core.create_space(actor=Actor.system("t"), name="Closed", organisations=[org])
    with pytest.raises(PermissionDenied, match="member of that organisation"):
        services.change_space_members(actor=actor, space=space, add=[other])
    assert list(space.organisations.all()) == [org]


def test_an_invitation_is_void_once_its_inviter_may_no_longer_grant_it(team):
    org, other, manager, editor, admin = team
    second = make_user("second", org, Role.MANAGER, C.CONFIDENTIAL)
    _, key = services.invite(
        actor=Actor(user=second, interface="web"),
        email="back@example.org",
        organisation=org,
        role=Role.MANAGER,
        clearance=C.CONFIDENTIAL,
    )
    services.remove_member(
        actor=Actor(user=manager, interface="web"), user=second, organisation=org
    )
    with pytest.raises(ValidationError, match="no longer valid"):
        services.accept_invitation(key, username="back", password="a long pass phrase 9")
    assert not User.objects.filter(username="back").exists()


def test_a_manager_changes_no_clearance_that_applies_in_an_organisation_they_do_not_manage(team):
    org, other, manager, editor, admin = team
    Membership.objects.create(user=editor, organisation=other, role=Role.VIEWER)
    editor.forget_principal()
    with pytest.raises(ValidationError, match="do not manage"):
        services.set_clearance(
            actor=Actor(user=manager, interface="web"),
            user=editor,
            clearance=C.CONFIDENTIAL,
            organisation=org,
        )
    top = make_user("top2", org, Role.VIEWER, C.STRICTLY_CONFIDENTIAL)
    with pytest.raises(ValidationError, match="cleared above you"):
        services.set_role(
            actor=Actor(user=manager, interface="web"), user=top, organisation=org, role=Role.EDITOR
        )


def test_an_administrator_edits_a_description_never_who_may_read_it(team):
    *_, admin = team
    made = core.save(
        Organisation(name="Tenant", kind="ingo", classification=0, releasability="public"),
        actor=Actor(user=admin, interface="web"),
    )
    client = web(admin)
    form = client.get(f"/organisations/{made.pk}/edit/").content.decode()
    assert 'name="classification"' not in form and 'name="releasability"' not in form
    made.classification, made.releasability = C.CONFIDENTIAL, "owner"
    with pytest.raises(PermissionDenied, match="description"):
        core.save(made, actor=Actor(user=admin, interface="web"))
    made.refresh_from_db()
    assert made.classification == 0


def test_the_membership_api_tells_a_non_administrator_nothing_about_usernames(team):
    org, other, manager, editor, admin = team
    for username in ("ed", "nobody-by-this-name"):
        response = web(manager).post(
            "/api/v1/administration/memberships/",
            {"user": username, "organisation": org.pk, "role": "viewer"},
            content_type="application/json",
        )
        assert response.status_code == 403
