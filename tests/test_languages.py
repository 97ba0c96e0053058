"""Which language a person sees (docs/translating.md): the account's choice, then the
footer's cookie, then Accept-Language; and what follows the language (country names, the
API's labels, right-to-left-safe styles)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from concord.core.models import AuditEntry, Classification, Country, Releasability, User

from .conftest import make_org, make_user

pytestmark = pytest.mark.django_db
CSS = Path(__file__).resolve().parent.parent / "concord" / "web" / "static" / "concord"


def _lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode()).group(1)


def test_before_sign_in_the_browser_language_decides(client):
    french = client.get("/login/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9,en;q=0.5")
    assert _lang(french) == "fr"
    assert "Se connecter" in french.content.decode()
    english = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-GB")
    assert _lang(english) == "en"
    assert "Sign in" in english.content.decode()
    assert _lang(client.get("/login/", HTTP_ACCEPT_LANGUAGE="de-DE")) == "en"  # not offered


def test_the_footer_switch_sets_a_cookie_before_sign_in(client):
    response = client.post("/language/", {"language": "fr", "next": "/login/"})
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert response.cookies["concord_language"].value == "fr"
    assert _lang(client.get("/login/", HTTP_ACCEPT_LANGUAGE="en")) == "fr"  # cookie wins
    # An offsite "next" is not followed.
    assert (
        client.post("/language/", {"language": "en", "next": "https://evil.example/"})["Location"]
        == "/"
    )


def test_an_unknown_language_is_refused_and_nothing_is_set(client):
    response = client.post("/language/", {"language": "xx", "next": "/login/"}, follow=True)
    assert "concord_language" not in response.cookies or not client.cookies["concord_language"]
    assert "Choose one of the languages offered." in response.content.decode()


def test_a_signed_in_user_s_choice_is_stored_on_the_account_and_audited(client):
    org = make_org("UN")
    user = make_user("amina", org)
    client.force_login(user)
    client.post("/language/", {"language": "fr", "next": "/account/"})
    user.refresh_from_db()
    assert user.language == "fr"
    updates = AuditEntry.objects.filter(model="core.user", object_id=str(user.pk), action="update")
    assert [e.changes for e in updates] == [{"language": ["", "fr"]}]
    # The account's choice wins over the browser's, on every page and after the cookie goes.
    client.cookies.pop("concord_language", None)
    page = client.get("/account/", HTTP_ACCEPT_LANGUAGE="en")
    assert _lang(page) == "fr" and "Langue" in page.content.decode()
    # "As my browser" clears it.
    client.post("/language/", {"language": "", "next": "/account/"})
    user.refresh_from_db()
    assert user.language == ""
    assert _lang(client.get("/account/", HTTP_ACCEPT_LANGUAGE="en")) == "en"


def test_nobody_changes_someone_else_s_language():
    from django.core.exceptions import PermissionDenied

    from concord.core.context import Actor
    from concord.signin import services

    org = make_org("UN")
    amina, bob = make_user("amina", org), make_user("bob", org)
    with pytest.raises(PermissionDenied):
        services.set_language(bob, actor=Actor(user=amina, interface="web"), language="fr")
    assert User.objects.get(pk=bob.pk).language == ""


def test_country_names_follow_the_language():
    germany = Country(alpha3="DEU", alpha2="DE", name="Germany")
    ivory = Country(alpha3="CIV", alpha2="CI", name="Côte d'Ivoire")
    assert str(germany) == "Germany (DEU)"
    with translation.override("fr"):
        assert str(germany) == "Allemagne (DEU)"
        assert ivory.local_name == "Côte d'Ivoire"
        assert Country(alpha3="CSK", name="Czechoslovakia").local_name.startswith("Tchécoslovaquie")


def test_the_api_labels_follow_accept_language(client):
    org = make_org("UN")
    user = make_user("amina", org)
    client.force_login(user)
    url = reverse("api:core:organisation-detail", args=[org.pk])
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").json()
    assert english["kind"] == french["kind"] == "other"  # the value is the same in every language
    assert english["kind_display"] == "Other"
    assert french["kind_display"] == "Autre"


def test_list_labels_follow_each_request_language(client):
    """A list's labels are worded once per page, in that request's language: English, then
    French, then English again from the same process."""
    make_org("AU", kind="regional")
    user = make_user("amina", make_org("UN"))
    client.force_login(user)
    url = reverse("api:core:organisation-list")
    seen = []
    for language in ("en", "fr", "en"):
        rows = client.get(url, HTTP_ACCEPT_LANGUAGE=language).json()["results"]
        seen.append({row["kind"]: row["kind_display"] for row in rows})
    assert seen[0] == seen[2] == {"other": "Other", "regional": "Regional organisation"}
    assert seen[1] == {"other": "Autre", "regional": "Organisation régionale"}


def test_exports_label_their_coded_columns_in_the_readers_language(client):
    import csv
    import io

    make_org("AU", kind="regional", cls=Classification.INTERNAL, rel=Releasability.SIGNED_IN)
    user = make_user("amina", make_org("UN"))
    user.language = "fr"
    user.save(update_fields=["language"])
    client.force_login(user)
    response = client.get("/organisations/", {"export": "csv"})
    body = b"".join(response.streaming_content) if response.streaming else response.content
    rows = {row["acronym"]: row for row in csv.DictReader(io.StringIO(body.decode()))}
    assert rows["AU"]["kind"] == "regional"  # the code an import reads back, in any language
    assert rows["AU"]["kind_display"] == "Organisation régionale"
    assert rows["AU"]["classification_display"] == "Interne"  # an integer choice too
    assert rows["AU"]["releasability_display"] == "Tous les utilisateurs connectés"


def test_the_styles_are_right_to_left_safe():
    """Logical properties only: a right-to-left language needs no style sheet of its own."""
    physical = re.compile(
        r"(?<![\w-])(?:margin|padding|border)-(?:left|right)\b|(?<![\w-])(?:left|right)\s*:"
        r"|text-align\s*:\s*(?:left|right)|float\s*:\s*(?:left|right)"
    )
    for sheet in CSS.glob("*.css"):
        css = re.sub(r"/\*.*?\*/", "", sheet.read_text(), flags=re.S)
        assert not physical.findall(css), f"{sheet.name}: {physical.findall(css)}"


def test_the_switch_goes_back_to_the_page_it_was_on_without_naming_it(client):
    page = client.get("/login/").content.decode()
    assert 'name="next"' not in page.split('class="language-switch')[1].split("</form>")[0]
    back = client.post("/language/", {"language": "fr"}, HTTP_REFERER="http://testserver/login/")
    assert back["Location"] == "http://testserver/login/"
    elsewhere = client.post("/language/", {"language": "fr"}, HTTP_REFERER="https://evil.example/")
    assert elsewhere["Location"] == "/"
