"""Saving unchanged keeps every link, visible or not (docs/security-model.md).

For every model with an edit form and an API detail route: an editor who may not see some of
a record's links opens the edit form and saves it as it is, or PATCHes back what GET
returned; every foreign key, many-to-many link and child row must be as it was. The records
come from the access-matrix world (tests/conftest.py:build_world), where each record links
to strictly confidential records that nobody may see."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormParser(HTMLParser):
    """The fields of the page's edit form (the one ``method=post`` form with a Save button),
    as a browser would submit them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[list[tuple[str, str]]] = []
        self._fields: list[tuple[str, str]] | None = None
        self._select: tuple[str, bool] | None = None
        self._options: list[tuple[str, bool]] = []
        self._option: list | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._fields = []
        if self._fields is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._fields.append((name, a.get("value") or "on"))
            elif kind not in ("submit", "button", "file", "reset", "image"):
                self._fields.append((name, a.get("value") or ""))
        elif tag == "select" and name:
            self._select = (name, "multiple" in a)
            self._options = []
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "selected" in a, ""]
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data
        if self._option is not None:
            self._option[2] += data

    def handle_endtag(self, tag):
        if self._fields is None:
            return
        if tag == "option" and self._option is not None:
            value, selected, label = self._option
            self._options.append((label.strip() if value is None else value, selected))
            self._option = None
        elif tag == "select" and self._select is not None:
            name, multiple = self._select
            chosen = [v for v, s in self._options if s]
            if not chosen and not multiple and self._options:
                chosen = [self._options[0][0]]  # a browser submits the first option
            self._fields += [(name, v) for v in chosen]
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # The parser drops the newline that follows <textarea>, as browsers do.
            self._fields.append((self._textarea, self._text))
            self._textarea = None
        elif tag == "form":
            self.forms.append(self._fields)
            self._fields = None


def form_data(html: str) -> dict[str, list[str]]:
    """What the browser would post from the page's main edit form, unchanged."""
    parser = _FormParser()
    parser.feed(html)
    forms = [f for f in parser.forms if any(n != "csrfmiddlewaretoken" for n, _ in f)]
    assert forms, "no post form with fields on the page"
    data: dict[str, list[str]] = {}
    for name, value in max(forms, key=len):
        data.setdefault(name, []).append(value)
    return data


# --- the generated round trip ---------------------------------------------------------------

import json  # noqa: E402

import pytest  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from concord.core import audit  # noqa: E402

from .conftest import build_world  # noqa: E402
from .test_access_matrix import discover, params_of, view_model  # noqa: E402

EDITOR = "own_manager_named"  # edits every record of the world; sees none of the hidden ones
# Read-only in the API, or computed: never sent back.
READ_ONLY = {"id", "url", "created_at", "updated_at", "state", "version"}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        yield build_world()
        call_command("flush", interactive=False, verbosity=0)


def _state(obj) -> dict:
    """Everything a save could change: fields, links, many-to-many sets and child rows."""
    fresh = type(obj).objects.get(pk=obj.pk)
    return audit.snapshot(fresh)


def _records(world, model):
    # Every classification, released to named organisations (the editor sees each of them;
    # each links to records nobody may see).
    return [obj for m, obj, c, r in world.records if m is model and r == "organisations"]


def _routes(suffix):
    from concord.api.base import ScopedViewSet

    out = {}
    for name, pattern, callback in discover():
        params = params_of(pattern)
        if not (name and name.endswith(suffix) and "pk" in params and "format" not in params):
            continue
        cls = getattr(callback, "cls", None)
        if cls is not None and not issubclass(cls, ScopedViewSet):
            continue  # an API route that is not a record's own (a mandate is an operation's)
        if cls is not None and "patch" not in cls.http_method_names:
            continue  # a read-only record (an import batch: made by importing a file)
        model = view_model(callback, name)
        if model is not None:
            out[model] = name
    return out


def test_every_scoped_model_has_an_edit_form_and_an_api_detail(world):
    """The round trips below cover every model of the world that has an edit page."""
    edit, detail = _routes("_edit"), _routes("-detail")
    for model in world.letters:
        if model.__name__ == "ImportBatch":  # written by a 3W import, never edited
            continue
        assert model in edit, f"{model.__name__}: no edit form"
        assert model in detail, f"{model.__name__}: no API detail"


@pytest.mark.django_db
def test_saving_every_edit_form_unchanged_keeps_every_link(world):
    client = Client()
    client.force_login(world.users[EDITOR])
    checked = 0
    for model, name in _routes("_edit").items():
        for obj in _records(world, model):
            before = _state(obj)
            url = reverse(name, kwargs={"pk": obj.pk})
            page = client.get(url)
            assert page.status_code == 200, url
            response = client.post(url, form_data(page.content.decode()))
            assert response.status_code == 302, f"{url}: {response.status_code} " + " | ".join(
                line.strip()
                for line in response.content.decode().splitlines()
                if 'class="error"' in line
            )
            after = _state(obj)
            assert after == before, f"{url}: {audit.diff(before, after)}"
            checked += 1
    assert checked >= 4 * 20


@pytest.mark.django_db
def test_patching_back_what_the_api_returned_keeps_every_link(world):
    client = Client()
    client.force_login(world.users[EDITOR])
    checked = 0
    for model, name in _routes("-detail").items():
        if model not in world.letters:
            continue
        for obj in _records(world, model):
            before = _state(obj)
            url = reverse(name, kwargs={"pk": obj.pk})
            got = client.get(url)
            if got.status_code != 200:
                continue
            body = {k: v for k, v in got.json().items() if k not in READ_ONLY}
            response = client.patch(url, json.dumps(body), content_type="application/json")
            assert response.status_code == 200, f"{url}: {response.content[:500]}"
            after = _state(obj)
            assert after == before, f"{url}: {audit.diff(before, after)}"
            checked += 1
    assert checked >= 4 * 20


@pytest.mark.django_db
def test_saving_a_mandate_unchanged_keeps_tasks_the_editor_cannot_see(world):
    """A mandate is a child set of its operation, edited on its own page and by PUT."""
    import datetime as dt

    from concord.core.context import Actor
    from concord.labour import services as labour_services
    from concord.labour.models import Task
    from concord.operations.models import Operation

    op = next(o for m, o, c, r in world.records if m is Operation and c == 1 and r == "signed_in")
    visible = Task.objects.visible_to(world.users[EDITOR]).exclude(parent=None).first()
    hidden = world.hidden["I"]
    labour_services.save_mandate(
        op,
        [
            {"task": hidden, "source": "S/RES/1 (2020)", "start": dt.date(2020, 1, 1)},
            {"task": visible, "source": "S/RES/2 (2021)", "paragraph": "OP 3"},
        ],
        actor=Actor.system("t"),
    )
    client = Client()
    client.force_login(world.users[EDITOR])
    before = _state(op)
    assert len(before["mandate"]) == 2
    url = reverse("labour:operation_mandate", kwargs={"pk": op.pk})
    page = client.get(url).content.decode()
    assert hidden.code not in page
    response = client.post(url, form_data(page))
    assert response.status_code == 302, response.content[:2000]
    assert _state(op) == before
    api = reverse("api:labour:mandate-detail", kwargs={"pk": op.pk})
    got = client.get(api).json()
    assert [t["task"] for t in got["tasks"]] == [visible.pk]
    response = client.put(api, json.dumps(got["tasks"]), content_type="application/json")
    assert response.status_code == 200, response.content[:500]
    assert _state(op) == before
