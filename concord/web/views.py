"""Home, sign-in, search, spaces, audit trail and API tokens."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import defaults
from django.views.decorators.http import require_POST

from concord.api.errors import server_error_body
from concord.core import services
from concord.core.context import Actor
from concord.core.forms import TokenForm
from concord.core.models import (
    ApiToken,
    Area,
    AuditEntry,
    FeedSecret,
    Organisation,
    Person,
    Space,
)
from concord.core.visibility import VisibleLabels


def home(request):
    user = request.user
    counts = [
        ("Organisations", Organisation.objects.visible_to(user).count(), "/organisations/"),
        ("People", Person.objects.visible_to(user).count(), "/people/"),
        ("Areas", Area.objects.visible_to(user).count(), "/areas/"),
    ]
    memberships = []
    if user.is_authenticated:
        memberships = list(user.memberships.select_related("organisation"))
    return render(request, "web/home.html", {"counts": counts, "memberships": memberships})


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True


def search(request):
    q = (request.GET.get("q") or "").strip()
    groups = []
    if len(q) >= 2:
        user = request.user
        groups = [
            (
                "Organisations",
                "/organisations/",
                Organisation.objects.visible_to(user).filter(
                    Q(name__icontains=q) | Q(acronym__icontains=q) | Q(aliases__icontains=q)
                )[:25],
            ),
            ("People", "/people/", Person.objects.visible_to(user).filter(name__icontains=q)[:25]),
            (
                "Areas",
                "/areas/",
                Area.objects.visible_to(user).filter(
                    Q(name__icontains=q) | Q(pcode__iexact=q) | Q(iso_code__iexact=q)
                )[:25],
            ),
        ]
    return render(request, "web/search.html", {"q": q, "groups": groups})


@login_required
def space_list(request):
    spaces = Space.objects.visible_to(request.user).prefetch_related("organisations")
    labels = VisibleLabels(request.user)
    rows = []
    for s in spaces:
        ids = [o.pk for o in s.organisations.all()]
        labels.load(Organisation, ids)
        rows.append((s, [labels.get(Organisation, i) for i in ids if labels.get(Organisation, i)]))
    return render(request, "web/spaces.html", {"rows": rows})


@login_required
def audit_list(request):
    """The trail of records owned by the user's organisations, within their clearance."""
    qs = AuditEntry.objects.visible_to(request.user).order_by("-seq")
    if request.GET.get("request_id"):
        qs = qs.filter(request_id=request.GET["request_id"])
    if request.GET.get("model"):
        qs = qs.filter(model=request.GET["model"])
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "web/audit.html", {"page": page})


def _tokens_page(request, form, *, new_key=None, feed_url=None, status=200):
    return render(
        request,
        "web/tokens.html",
        {
            "form": form,
            "tokens": ApiToken.objects.filter(user=request.user),
            "new_key": new_key,
            "feed": FeedSecret.objects.filter(user=request.user, revoked_at__isnull=True).first(),
            "feed_url": feed_url,
        },
        status=status,
    )


@login_required
def token_list(request):
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _, new_key = services.create_token(actor=Actor.from_request(request), **form.cleaned_data)
        messages.success(request, "Token created. Copy the key now: it is not shown again.")
        form = TokenForm()
    status = 400 if request.method == "POST" and form.errors else 200
    return _tokens_page(request, form, new_key=new_key, status=status)


@login_required
@require_POST
def token_revoke(request, pk):
    token = ApiToken.objects.filter(user=request.user, pk=pk).first()
    if token is None:
        raise Http404("No such token of yours.")
    services.revoke_token(token, actor=Actor.from_request(request))
    messages.success(request, f"Revoked {token}.")
    return redirect("web:token_list")


@login_required
@require_POST
def feed_secret_create(request):
    """A new calendar feed address (revoking the previous one), shown once."""
    _, key = services.create_feed_secret(actor=Actor.from_request(request))
    url = request.build_absolute_uri(reverse("web:accountability_calendar"))
    messages.success(request, "Calendar feed address created. Copy it now: it is not shown again.")
    return _tokens_page(request, TokenForm(), feed_url=f"{url}?{urlencode({'feed': key})}")


@login_required
@require_POST
def feed_secret_revoke(request):
    if services.revoke_feed_secret(actor=Actor.from_request(request)) is not None:
        messages.success(request, "Calendar feed address revoked: the feed stops working.")
    return redirect("web:token_list")


token_revoke.model = ApiToken  # for the access-matrix test


def error_403(request, exception=None):
    return render(
        request,
        "web/error.html",
        {
            "status": 403,
            "title": "Not allowed",
            "message": str(exception)
            if exception
            else "Your role or clearance does not allow this.",
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
        {"status": 404, "title": "Not found", "message": "No such page, or you may not see it."},
        status=404,
    )
