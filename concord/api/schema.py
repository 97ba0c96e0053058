"""What the OpenAPI schema says beyond what drf-spectacular reads off the views: every
operation's error answers, in the one shape of ``concord.api.errors``.

A schema that describes what the API really returns is checked by a fuzzer in ``make test``
(scripts/fuzz-api: schemathesis against a server with the demo world)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema


class OneObject(AutoSchema):
    """The schema of an endpoint whose list route answers one object (the caller's own: a
    setting, a status), not a list: ``schema = OneObject()`` on the viewset."""

    def _is_list_view(self, serializer=None) -> bool:
        return False


ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "description": _("Per field (or non_field_errors), its messages."),
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
                "request_id": {"type": "string"},
            },
        }
    },
}

ERRORS = {
    "400": _("Invalid input: the fields named in `error.fields`."),
    "401": _("Not signed in (no session or token), or the token is not valid."),
    "403": _("Signed in, but your role, clearance or token does not allow this."),
    "404": _("No such record, or one you may not see (the two look the same)."),
    "405": _("The method is not allowed here."),
    "406": _("The format asked for (Accept header or format suffix) is not offered."),
    "415": _("The body's media type is not accepted."),
    "429": _("Too many requests: slow down (the Retry-After header says for how long)."),
}


def document_errors(result, generator, request, public):
    """Postprocessing hook: an ``Error`` component, and every operation's error answers."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, description in ERRORS.items():
                if method == "get" and status == "415":
                    continue
                operation["responses"].setdefault(
                    status,
                    {"description": description, "content": {"application/json": {"schema": ref}}},
                )
    return result
