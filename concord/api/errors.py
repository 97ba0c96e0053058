"""One error body shape for every API failure: {"error": {"code", "message", "fields"}}."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_handler


def _flatten(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        out = {}
        for key, value in detail.items():
            if isinstance(value, dict):
                for sub, msgs in _flatten(value).items():
                    out[f"{key}.{sub}"] = msgs
            else:
                out[key] = [str(v) for v in (value if isinstance(value, list) else [value])]
        return out
    if isinstance(detail, list):
        return {"non_field_errors": [str(d) for d in detail]}
    return {"non_field_errors": [str(detail)]}


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        fields = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        fields = {("non_field_errors" if k == "__all__" else k): v for k, v in fields.items()}
        exc = exceptions.ValidationError(fields)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        fields = {("non_field_errors" if k == "__all__" else k): v for k, v in fields.items()}
        first = next(iter(fields.items()), ("", [""]))
        message = (
            _("Invalid input: %(field)s: %(message)s") % {"field": first[0], "message": first[1][0]}
            if first[0]
            else _("Invalid input.")
        )
        response.data = error_body("invalid", message, fields)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = getattr(exc, "default_code", "error")
        response.data = error_body(str(code), str(detail))
    return response


def server_error_body(request) -> dict:
    """What the API answers when the server fails: the documented shape, no internals, and
    the request id (also in the ``X-Request-ID`` header) to quote to the platform team."""
    rid = getattr(request, "concord_request_id", "")
    return error_body(
        "server_error",
        _(
            "The server failed on this request and logged it. Try again later; if it keeps "
            "failing, give the platform team this request id: %(request_id)s."
        )
        % {"request_id": rid},
    )
