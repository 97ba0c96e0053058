from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from concord.web.generic import errors_to_form, report_refusal

from ..access import is_platform_admin


def admin_required(view):
    """Platform administrators only (others: 403, anonymous: to the sign-in page)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_platform_admin(request.user):
            raise PermissionDenied(_("Only a platform administrator may open this page."))
        return view(request, *args, **kwargs)

    return wrapped


# A service's refusal as a message; its field-named errors onto a form (one way, the shell's).
refused = report_refusal
to_form = errors_to_form
