"""The shell's pages: home, sign-in, search and the error pages."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views import defaults

from concord.api.errors import server_error_body
from concord.core import capabilities
from concord.core import search as search_index
from concord.core.models import (
    Area,
    Organisation,
    Person,
)

from .attention import LIMIT, gather


def home(request):
    """Signed in: what needs my attention, from every capability's providers. Anonymous
    visitors: what Concord is and the public registry's counts."""
    user = request.user
    if user.is_authenticated:
        memberships = list(user.memberships.select_related("organisation"))
        return render(
            request,
            "web/home.html",
            {"groups": gather(user, LIMIT), "limit": LIMIT, "memberships": memberships},
        )
    counts = [
        (_("Organisations"), Organisation.objects.visible_to(user).count(), "/organisations/"),
        (_("People"), Person.objects.visible_to(user).count(), "/people/"),
        (_("Areas"), Area.objects.visible_to(user).count(), "/areas/"),
    ]
    return render(request, "web/home.html", {"counts": counts})


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        """The password is right (django-axes has counted the failures before it). A second
        step (two-factor sign-in, ``settings.CONCORD_SIGNIN_SECOND_STEP``) may take over:
        then nobody is signed in until it passes."""
        second = getattr(settings, "CONCORD_SIGNIN_SECOND_STEP", None)
        if second:
            response = import_string(second)(self.request, form.get_user(), self.get_success_url())
            if response is not None:
                return response
        return super().form_valid(form)


def search(request):
    """One search for everything each capability makes findable (concord.core.search), read
    through every model's enforcement point; ``?kind=`` lists one kind at length."""
    q = (request.GET.get("q") or "").strip()[:200]
    kind = request.GET.get("kind") or None
    kinds = {search_index.slug(s): s.kind for s in capabilities.searchables()}
    if kind not in kinds:
        kind = None
    groups = search_index.find(request.user, q, kind=kind, limit=50 if kind else 5)
    return render(
        request,
        "web/search.html",
        {
            "q": q,
            "kind": kind,
            "kind_title": kinds.get(kind),
            "groups": groups,
            "too_short": bool(q) and search_index.parse(q) is None,
        },
    )


def suggest(request):
    """Names for a text box as you type (``SuggestInput``): up to 10 of one kind that you may
    see, as ``<option>``s of its ``<datalist>``. The value is what the field takes back (a
    code where the record has one, else its name); several values (';') keep the ones typed
    before the last. Areas within the form's country when it names one."""
    from concord.core.forms import find_country

    kind = request.GET.get("kind", "")
    typed = request.GET.get(request.GET.get("field", ""), "")
    before, _sep, last = typed.rpartition(";")
    prefix = "; ".join(p.strip() for p in before.split(";") if p.strip())
    country = None
    within = request.GET.get(request.GET.get("within", ""), "")
    if within.strip():
        try:
            found = find_country(within, former=True)
        except ValidationError:
            found = None
        country = found.alpha3 if found else None
    options = []
    for group in search_index.find(request.user, last, kind=kind, limit=10, country=country):
        for hit in group.hits:
            value = hit.codes[0] if hit.codes else str(hit.record)
            label = f"{hit.record}" + (f" · {hit.description}" if hit.description else "")
            options.append((f"{prefix}; {value}" if prefix else value, label))
    return render(request, "web/suggestions.html", {"options": options})


def error_403(request, exception=None):
    return render(
        request,
        "web/error.html",
        {
            "status": 403,
            "title": _("Not allowed"),
            "message": str(exception)
            if exception
            else _("Your role or clearance does not allow this."),
        },
        status=403,
    )


def error_500(request):
    """The API answers in its documented error shape; pages get Django's plain page (which
    renders nothing that could fail again)."""
    if request.path.startswith("/api/"):
        return JsonResponse(server_error_body(request), status=500)
    return defaults.server_error(request)


def error_404(request, exception=None):
    return render(
        request,
        "web/error.html",
        {
            "status": 404,
            "title": _("Not found"),
            "message": _("No such page, or you may not see it."),
        },
        status=404,
    )
