"""Web pages: forms with field-level errors, lists with filters and sorting, history."""

from __future__ import annotations

import pytest
from django.utils import translation

from concord.core import services
from concord.core.context import Actor
from concord.core.models import Area, Organisation, Person

from .conftest import country, make_org, make_user


@pytest.fixture
def editor_client(client, db):
    org = make_org("WEB", name="Web Org")
    make_org("AU", name="African Union", aliases=["UA"])
    user = make_user("web_editor", org, "editor", 2)
    client.force_login(user)
    country("MLI")
    return client, org, user


def test_form_errors_are_shown_on_the_field(editor_client):
    client, org, _ = editor_client
    r = client.post(
        "/organisations/add/",
        {
            "name": "",
            "kind": "local",
            "owner": org.pk,
            "classification": 2,
            "releasability": "owner",
            "website": "nope",
        },
    )
    assert r.status_code == 400
    body = r.content.decode()
    assert 'id="id_name_error"' in body and 'id="id_website_error"' in body
    # A rule of the model (checked in the service) lands on its field too.
    r = client.post(
        "/organisations/add/",
        {
            "name": "X",
            "kind": "local",
            "owner": org.pk,
            "classification": 2,
            "releasability": "public",
        },
    )
    assert r.status_code == 400
    body = r.content.decode()
    assert 'id="id_releasability_error"' in body
    assert "Only a record classified public can be released to the public." in body
    assert not Organisation.objects.filter(name="X").exists()


def test_create_with_alias_resolution_and_history(editor_client):
    client, org, _ = editor_client
    r = client.post(
        "/organisations/add/",
        {
            "name": "Mopti forum",
            "kind": "local",
            "owner": org.pk,
            "classification": 1,
            "releasability": "organisations",
            "shared_organisations": "UA",
            "aliases": "MF; Forum Mopti",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    o = Organisation.objects.get(name="Mopti forum")
    assert o.aliases == ["MF", "Forum Mopti"]
    assert list(o.shared_organisations.values_list("acronym", flat=True)) == ["AU"]
    assert services.resolve_organisation("forum mopti", None, actor=Actor.system("t")) == o
    history = client.get(f"/organisations/{o.pk}/history/").content.decode()
    assert "Create" in history and "Mopti forum" in history


def test_person_with_affiliation_formset(editor_client):
    client, org, _ = editor_client
    au = Organisation.objects.get(acronym="AU")
    r = client.post(
        "/people/add/",
        {
            "name": "Salif",
            "languages": "fr; bm",
            "contacts": "phone: +223 70 00 00 00",
            "owner": org.pk,
            "classification": 1,
            "releasability": "owner",
            "affiliations-TOTAL_FORMS": "1",
            "affiliations-INITIAL_FORMS": "0",
            "affiliations-0-organisation": au.pk,
            "affiliations-0-title": "Envoy",
            "affiliations-0-start": "2024-02-01",
            "affiliations-0-end": "2023-01-01",
        },
    )
    assert r.status_code == 400 and "before the start date" in r.content.decode()
    assert not Person.objects.filter(name="Salif").exists()


def test_area_parent_by_pcode_and_level_rule(editor_client):
    client, org, _ = editor_client
    mli = country("MLI")
    region = services.save(
        Area(name="Mopti", country=mli, level=1, iso_code="ML-5", owner=org),
        actor=Actor.system("t"),
    )
    r = client.post(
        "/areas/add/",
        {
            "name": "Bandiagara",
            "country": mli.pk,
            "level": 3,
            "parent": "ML-5",
            "pcode": "ML0501",
            "owner": org.pk,
            "classification": 0,
            "releasability": "public",
        },
    )
    assert r.status_code == 400 and "adm2 parent" in r.content.decode()
    r = client.post(
        "/areas/add/",
        {
            "name": "Bandiagara",
            "country": mli.pk,
            "level": 2,
            "parent": "ML-5",
            "pcode": "ML0501",
            "owner": org.pk,
            "classification": 0,
            "releasability": "public",
            "latitude": "14.35",
            "longitude": "-3.61",
        },
    )
    assert r.status_code == 302
    assert Area.objects.get(pcode="ML0501").parent == region


def test_list_filter_sort_and_paginate(editor_client):
    client, org, _ = editor_client
    for i in range(60):
        services.save(
            Organisation(name=f"Org {i:02d}", kind="ingo", owner=org), actor=Actor.system("t")
        )
    r = client.get("/organisations/?kind=ingo&sort=-name")
    assert r.context["page"].paginator.count == 60
    assert r.context["rows"][0][0].name == "Org 59"
    r2 = client.get("/organisations/?kind=ingo&sort=-name&page=2")
    assert r2.context["rows"][0][0].name == "Org 09"
    assert client.get("/organisations/?sort=password").status_code == 200  # unknown sort ignored


def test_delete_needs_manager(editor_client):
    client, org, user = editor_client
    o = services.save(Organisation(name="Temp", kind="local", owner=org), actor=Actor.system("t"))
    assert client.post(f"/organisations/{o.pk}/delete/").status_code == 403
    services.set_membership(actor=Actor.system("t"), user=user, organisation=org, role="manager")
    assert client.post(f"/organisations/{o.pk}/delete/").status_code == 302
    assert not Organisation.objects.filter(pk=o.pk).exists()


def test_delete_of_referenced_record_explains(editor_client):
    client, org, user = editor_client
    services.set_membership(actor=Actor.system("t"), user=user, organisation=org, role="manager")
    parent = services.save(
        Organisation(name="Parent", kind="local", owner=org), actor=Actor.system("t")
    )
    services.save(
        Organisation(name="Child", kind="local", owner=org, parent=parent), actor=Actor.system("t")
    )
    r = client.post(f"/organisations/{parent.pk}/delete/", follow=True)
    assert "still referenced" in r.content.decode()
    assert Organisation.objects.filter(pk=parent.pk).exists()


def test_tokens_page_creates_and_revokes(editor_client):
    client, _, user = editor_client
    r = client.post("/tokens/", {"name": "sync", "read_only": "on"})
    assert r.status_code == 200 and "cnc_" in r.content.decode()
    token = user.api_tokens.get()
    assert token.read_only
    client.post(f"/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_pages_are_usable_without_javascript_and_labelled(editor_client):
    client, _, _ = editor_client
    body = client.get("/organisations/add/").content.decode()
    assert '<main id="content"' in body and 'href="#content"' in body
    assert 'for="id_name"' in body and 'name="viewport"' in body
    assert "cdn" not in body.lower() and "https://" not in body.split("<body>")[0]


def test_owner_preselected_and_named_users_limited_to_partners(editor_client):
    client, org, _ = editor_client
    from concord.core.models import Classification

    make_user("partner_sc", org, "viewer", Classification.STRICTLY_CONFIDENTIAL)
    stranger_org = make_org("STR")
    make_user("stranger_sc", stranger_org, "viewer", Classification.STRICTLY_CONFIDENTIAL)
    form = client.get("/organisations/add/").context["form"]
    assert form["owner"].value() == org.pk
    named = [u.username for u in form.fields["named_users"].queryset]
    assert named == ["partner_sc"]


def test_the_shell_speaks_the_readers_language(editor_client):
    """The shell's pages in French (the reader's Accept-Language): header, lists, record
    pages, history, forms, import, search and the error pages; the English stays the same."""
    client, org, _ = editor_client
    client.post(
        "/organisations/add/",
        {
            "name": "Bilingue",
            "kind": "local",
            "owner": org.pk,
            "classification": 2,
            "releasability": "owner",
        },
    )
    pk = Organisation.objects.get(name="Bilingue").pk
    fr = {"HTTP_ACCEPT_LANGUAGE": "fr"}
    pages = {
        "/": ["Ce qui requiert votre attention", "Connecté en tant que", "Aller au contenu"],
        "/organisations/": ["Enregistrements que vous pouvez voir", "Filtrer", "résultat"],
        f"/organisations/{pk}/": ["Confidentialité", "Propriétaire", "Historique"],
        f"/organisations/{pk}/history/": ["Création</strong> par web_editor via web"],
        f"/organisations/{pk}/edit/": ["Modifier Bilingue", "Enregistrer", "Annuler"],
        f"/organisations/{pk}/delete/": ["Non autorisé", "Accueil"],  # a manager's
        "/organisations/import/": ["Télécharger un modèle vide\u00a0:", "Importer"],
        "/search/?q=Zzyzx": [
            "ne correspond à «\u00a0Zzyzx\u00a0»",
            "Les accents et les majuscules",
        ],
        "/countries/": ["Région M49", "Appliquer"],
        "/tokens/": ["Jetons d'API", "Flux de calendrier"],
        "/no-such-page/": ["Introuvable", "existe pas, ou vous ne pouvez pas la voir"],
    }
    with translation.override("en"):  # the requests' language stays in this test
        for url, words in pages.items():
            body = client.get(url, **fr).content.decode()
            missing = [w for w in words if w not in body]
            assert not missing, (url, missing)
    assert (
        "What needs your attention" in client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    body = client.get(f"/organisations/{pk}/history/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<strong>Create</strong> by web_editor via web" in body
