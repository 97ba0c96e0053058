"""Fetching one roster record for an action (absent when invisible, forbidden when visible
but not the user's to change), and what of a visible record a reader still may not see."""

from __future__ import annotations

from django.http import Http404

from concord.core.access import VIEW, access

from .models import Candidate, Deployment, Expert, ExpertRequest


def access_expert(user, pk, action=VIEW) -> Expert:
    return access(Expert, user, pk, action)


def access_request(user, pk, action=VIEW) -> ExpertRequest:
    return access(ExpertRequest, user, pk, action)


def access_deployment(user, pk, action=VIEW) -> Deployment:
    return access(Deployment, user, pk, action)


def access_candidate(user, pk, action=VIEW) -> Candidate:
    """A candidate is part of its request, and names an expert: it is there for a reader who
    may see both (``action`` applies to the request)."""
    candidate = Candidate.objects.filter(pk=pk).select_related("request", "expert").first()
    if candidate is None:
        raise Http404
    access_request(user, candidate.request_id, action)
    access_expert(user, candidate.expert_id)
    return candidate


def visible_candidates(request: ExpertRequest, user):
    """The request's candidates whose expert the reader may see (the others are counted)."""
    return request.candidates.filter(
        expert__in=Expert.objects.visible_to(user).values("pk")
    ).select_related("expert")
