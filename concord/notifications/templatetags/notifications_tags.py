"""The header's unread count and the Follow button, for the shell's templates."""

from __future__ import annotations

from django import template

from .. import access
from ..models import COUNTRY, SPACE, Follow

register = template.Library()
CAP = 99


def button_context(user, model: str, object_id, next_url: str = "") -> dict:
    following = (
        user.is_authenticated
        and Follow.objects.filter(user=user, model=model, object_id=str(object_id)).exists()
    )
    return {
        "model": model,
        "object_id": str(object_id),
        "following": following,
        "next": next_url,
        "signed_in": user.is_authenticated,
    }


@register.inclusion_tag("notifications/follow_button.html", takes_context=True)
def follow_button(context, obj=None, kind: str = "", object_id=None, model: str = ""):
    """A Follow/Unfollow button for ``obj`` (a record), for a country or a space (``kind``
    "country"/"space" and ``object_id``), or for ``model`` and ``object_id``. Nothing for
    anonymous visitors."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"signed_in": False}
    if obj is not None:
        model, object_id = obj._meta.label_lower, obj.pk
    elif kind:
        model = {"country": COUNTRY, "space": SPACE}[kind]
    return button_context(user, model, object_id, request.get_full_path())


@register.inclusion_tag("notifications/unread_badge.html", takes_context=True)
def unread_badge(context):
    """The header's link to the notifications, with how many unread ones the reader may see
    now (capped: "99+")."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"signed_in": False}
    n, more = access.unread(user, cap=CAP)
    return {"signed_in": True, "count": n, "more": more}
