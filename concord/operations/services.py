"""Writes to operations and relations: through the core ``save``, so audited and checked."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext

from concord.core import services
from concord.core.context import Actor
from concord.core.models import Organisation

from .models import Authorisation, Contribution, Operation, Scenario


def set_children(
    authorisations: Iterable[dict] | None = None, contributions: Iterable[dict] | None = None
) -> Callable[[Operation, Actor], None] | None:
    """A children callback for ``services.save``: replaces the lists that are given, keeping
    contributions of organisations the editor may not see (neither shown nor sent)."""
    if authorisations is None and contributions is None:
        return None
    auths = list(authorisations) if authorisations is not None else None
    contribs = list(contributions) if contributions is not None else None

    def apply(op: Operation, actor: Actor) -> None:
        for model, rows, name, keep in (
            (Authorisation, auths, "authorisations", None),
            (Contribution, contribs, "contributions", ("contributor_organisation", Organisation)),
        ):
            if rows is None:
                continue
            services.replace_children(
                op,
                actor,
                model,
                "operation",
                rows,
                error=lambda i, messages, name=name: {
                    name: [_child_error(name, i, m) for m in messages]
                },
                keep_hidden=keep,
            )

    return apply


def _child_error(name: str, i: int, message: str) -> str:
    """The error of one authorisation or contribution, as one sentence per kind."""
    if name == "authorisations":
        return gettext("authorisation %(n)s: %(message)s") % {"n": i, "message": message}
    return gettext("contribution %(n)s: %(message)s") % {"n": i, "message": message}


def save_operation(
    op: Operation,
    *,
    actor: Actor,
    m2m: dict | None = None,
    authorisations: Iterable[dict] | None = None,
    contributions: Iterable[dict] | None = None,
) -> Operation:
    return services.save(
        op, actor=actor, m2m=m2m, children=set_children(authorisations, contributions)
    )


@transaction.atomic
def override_scenario(op: Operation, *, actor: Actor, scenario: str, justification: str):
    """Set (or with an empty scenario, clear) a person's classification of an operation.
    Only someone who may edit the operation may do so; the derived value stays visible."""
    if scenario and scenario not in Scenario.values:
        raise ValidationError(
            {
                "scenario": gettext("%(value)s is not one of: %(choices)s")
                % {"value": repr(scenario), "choices": ", ".join(Scenario.values)}
            }
        )
    if scenario and not (justification or "").strip():
        raise ValidationError(
            {"justification": gettext("Explain why the derived scenario is wrong.")}
        )
    if not actor.is_system and not (
        Operation.objects.editable_by(actor.user).filter(pk=op.pk).exists()
    ):
        raise PermissionDenied(
            gettext("Only an editor of the owning organisation may override this.")
        )
    op = Operation.objects.get(pk=op.pk)
    op.scenario_override = scenario or ""
    op.override_justification = (justification or "").strip() if scenario else ""
    return services.save(op, actor=actor)
