from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError

from ..access import is_platform_admin


def admin_required(view):
    """Platform administrators only (others: 403, anonymous: to the sign-in page)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_platform_admin(request.user):
            raise PermissionDenied("Only a platform administrator may open this page.")
        return view(request, *args, **kwargs)

    return wrapped


def refused(request, exc: ValidationError | PermissionDenied) -> None:
    """A service's refusal as a message on the page."""
    if isinstance(exc, ValidationError):
        text = " ".join(
            f"{m}"
            for msgs in getattr(exc, "message_dict", {"": exc.messages}).values()
            for m in msgs
        )
    else:
        text = str(exc)
    messages.error(request, text)


def to_form(form, exc: ValidationError) -> None:
    """A service's field-named errors onto the form's fields."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
