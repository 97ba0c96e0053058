"""Pickers that take names (issue 17): a country by its name in English or French, an area
by name within the form's country, a task by the words of its name; suggestions as you type
from what you may see."""

from __future__ import annotations

import pytest
from django.test import Client

from concord.core.forms import find_country
from concord.core.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "typed, alpha3",
    [
        ("Kenya", "KEN"),
        ("haiti", "HTI"),
        ("Haïti", "HTI"),
        ("Côte d'Ivoire", "CIV"),
        ("cote divoire", "CIV"),
        ("Allemagne", "DEU"),
        ("ML", "MLI"),
        ("mli", "MLI"),
        ("Mali (MLI)", "MLI"),
        ("République centrafricaine", "CAF"),
    ],
)
def test_a_country_is_found_by_name_or_code(demo, typed, alpha3):
    assert find_country(typed).alpha3 == alpha3


def test_former_countries_only_where_a_date_calls_for_them(demo):
    assert find_country("Dahomey") is None
    assert find_country("DHY") is None
    assert find_country("Dahomey", former=True).alpha3 == "DHY"


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_the_organisation_form_takes_a_country_name_and_suggests(demo):
    user = demo["dpo.manager"]
    client = _client(user)
    form = client.get("/organisations/add/").content.decode()
    assert 'list="id_country-suggestions"' in form and "<datalist" in form
    assert '<select name="country"' not in form  # no 300-entry list with Dahomey and the GDR
    owner = user.memberships.filter(role="manager").first().organisation
    r = client.post(
        "/organisations/add/",
        {
            "name": "Nairobi Peace Forum",
            "kind": "local",
            "country": "Kenya",
            "owner": owner.pk,
            "classification": 0,
            "releasability": "public",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    assert Organisation.objects.get(name="Nairobi Peace Forum").country.alpha3 == "KEN"
    bad = client.post(
        "/organisations/add/",
        {
            "name": "X",
            "kind": "local",
            "country": "Narnia",
            "owner": owner.pk,
            "classification": 0,
            "releasability": "public",
        },
    ).content.decode()
    assert "No country called &#x27;Narnia&#x27;" in bad


def test_suggestions_come_from_what_you_may_see(demo):
    client = _client(demo["dpo.editor"])
    get = lambda **p: client.get("/search/suggest/", p).content.decode()  # noqa: E731
    assert '<option value="KEN">Kenya (KEN)' in get(
        kind="countries", field="country", country="keny"
    )
    # several values: the ones typed before the last are kept
    two = get(kind="countries", field="host_countries", host_countries="MLI; nige")
    assert '<option value="MLI; NER">' in two and '<option value="MLI; NGA">' in two
    # areas within the form's country
    mopti = get(kind="areas", field="area", area="mopt", within="country", country="Mali")
    assert 'value="ML-5"' in mopti
    assert "ML-5" not in get(
        kind="areas", field="area", area="mopt", within="country", country="NER"
    )
    assert "Good offices and mediation support" in get(kind="tasks", field="task", task="mediat")
    # a person the public may not see is suggested to nobody outside
    assert "Koné" in get(kind="people", field="p", p="kone")
    outsider = Client().get("/search/suggest/", {"kind": "people", "field": "p", "p": "kone"})
    assert "Koné" not in outsider.content.decode()


def test_an_assignment_takes_names_for_its_place_and_task(demo):
    from concord.labour.forms import AssignmentForm

    user = demo["dpo.editor"]
    owner = user.memberships.first().organisation
    form = AssignmentForm(
        {
            "organisation": "WFP",
            "task": "mediation",
            "country": "Mali",
            "area": "Segou",
            "role": "lead",
            "status": "active",
            "owner": owner.pk,
            "classification": 0,
            "releasability": "public",
        },
        user=user,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["task"].code == "good_offices"
    assert form.cleaned_data["area"].iso_code == "ML-4"
    assert form.cleaned_data["country"].alpha3 == "MLI"
    # a whole name is that country, not those whose names contain it
    assert find_country("Guinea").alpha3 == "GIN"
