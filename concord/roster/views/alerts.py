"""The page an alerted expert reaches from the e-mail: no account needed; it shows only what
the alert said, and takes one answer (the link then stops working)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from .. import services


@never_cache
def alert_answer(request, token):
    try:
        candidate = services.candidate_for_token(token)
    except ValidationError as exc:
        return render(
            request,
            "roster/alert.html",
            {"title": _("Roster alert"), "problem": " ".join(exc.messages)},
            status=410,
        )
    if request.method == "POST":
        choice = request.POST.get("answer")
        if choice not in ("available", "not_available"):
            return render(
                request,
                "roster/alert.html",
                {
                    "title": _("Roster alert"),
                    "text": candidate.alert_text,
                    "problem": _("Choose one answer."),
                },
                status=400,
            )
        try:
            services.answer(token, available=choice == "available")
        except ValidationError as exc:
            return render(
                request,
                "roster/alert.html",
                {"title": _("Roster alert"), "problem": " ".join(exc.messages)},
                status=410,
            )
        return render(
            request,
            "roster/alert.html",
            {"title": _("Roster alert"), "done": True, "available": choice == "available"},
        )
    return render(
        request, "roster/alert.html", {"title": _("Roster alert"), "text": candidate.alert_text}
    )
