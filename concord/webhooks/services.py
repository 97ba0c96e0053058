"""Every write to webhooks: one function per use case, one transaction, audited.

Managers of an organisation manage its webhooks. Whoever creates a webhook, or later
changes where it sends, what it hears or its secret, becomes its owning user: deliveries
carry what that user may see (so a manager can never route to an address of theirs what
only a colleague with a higher clearance may see).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from concord.core import audit
from concord.core.context import Actor
from concord.core.models import AuditHead, Classification, Role

from . import allowlist
from .events import event_models
from .models import ACTIONS, Delivery, Webhook, new_secret

EDITABLE = ("name", "url", "record_types", "actions", "country", "operation", "space")
# Changing these makes the editor the owning user (what is sent, and where, is then theirs).
OWNING = ("url", "record_types", "actions", "country", "operation", "space")


def _require_manager(actor: Actor, organisation) -> None:
    if actor.is_system:
        return
    user = actor.user
    if user is None or not user.is_authenticated:
        raise PermissionDenied(_("Sign in first."))
    if user.principal().roles.get(organisation.pk) != Role.MANAGER:
        raise PermissionDenied(
            _("Only a manager of %(organisation)s may manage its webhooks.")
            % {"organisation": organisation}
        )


def _record(actor: Actor, action: str, webhook: Webhook, changes: dict) -> None:
    audit.record(
        actor,
        action,
        webhook,
        changes,
        owner_id=webhook.organisation_id,
        classification=Classification.INTERNAL,
    )


def _check_types(record_types, errors: dict) -> list[str]:
    known = event_models()
    chosen = [str(t).strip().lower() for t in (record_types or []) if str(t).strip()]
    unknown = sorted(set(chosen) - set(known))
    if unknown:
        errors["record_types"] = _("Unknown record types: %(types)s.") % {
            "types": ", ".join(unknown)
        }
    elif not chosen:
        errors["record_types"] = _("Choose at least one kind of record.")
    return [label for label in known if label in chosen]


def _check_actions(actions, errors: dict) -> list[str]:
    chosen = [str(a).strip().lower() for a in (actions or []) if str(a).strip()]
    unknown = sorted(set(chosen) - set(ACTIONS))
    if unknown:
        errors["actions"] = _("Actions are create, update and delete, not %(actions)s.") % {
            "actions": ", ".join(unknown)
        }
    elif not chosen:
        errors["actions"] = _("Choose at least one of create, update, delete.")
    return [a for a in ACTIONS if a in chosen]


def _check_filters(values: dict, actor: Actor, errors: dict) -> None:
    """An operation or a space as a filter must be one the acting user may see."""
    if actor.is_system:
        return
    operation, space = values.get("operation"), values.get("space")
    if operation is not None:
        visible = type(operation).objects.visible_to(actor.user).filter(pk=operation.pk)
        if not visible.exists():
            errors["operation"] = _("Choose an operation you may see.")
    if space is not None and space.pk not in actor.user.principal().space_ids:
        errors["space"] = _("Choose a coordination space your organisation is in.")


def clean(values: dict, actor: Actor) -> dict:
    """``values`` checked and normalised, or a ValidationError naming every bad field."""
    errors: dict = {}
    out = dict(values)
    if "name" in values:
        out["name"] = (values["name"] or "").strip()
        if not out["name"]:
            errors["name"] = _("Give the webhook a name, e.g. the system that receives it.")
        elif len(out["name"]) > 100:
            errors["name"] = _("At most 100 characters.")
    if "url" in values:
        out["url"] = (values["url"] or "").strip()
        try:
            URLValidator(schemes=list(allowlist.SCHEMES))(out["url"])
            if len(out["url"]) > 500:
                raise ValidationError(_("At most 500 characters."))
        except ValidationError:
            errors["url"] = _("Give an http:// or https:// address of at most 500 characters.")
        else:
            if not actor.is_system:  # seeds may record one; deliveries check it anyway
                try:
                    allowlist.check_url(out["url"])
                except ValidationError as exc:
                    errors.update(exc.message_dict)
    if "record_types" in values:
        out["record_types"] = _check_types(values["record_types"], errors)
    if "actions" in values:
        out["actions"] = _check_actions(values["actions"], errors)
    _check_filters(values, actor, errors)
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def create_webhook(*, actor: Actor, organisation, owner=None, active: bool = True, **values):
    """Returns (webhook, secret): the secret is shown once (only its encryption is kept)."""
    _require_manager(actor, organisation)
    owner = owner if actor.is_system else actor.user
    if owner is None:
        raise ValidationError({"owner": _("A webhook needs an owning user.")})
    values = clean({k: values.get(k) for k in EDITABLE}, actor)
    secret = new_secret()
    head = AuditHead.objects.filter(id=1).values_list("seq", flat=True).first() or 0
    webhook = Webhook(
        organisation=organisation,
        owner=owner,
        secret=secret,
        secret_hint=secret[:10],
        active=active,
        paused_reason="" if active else _("Created paused."),
        since_seq=head,
        **values,
    )
    webhook.full_clean()
    webhook.save()
    _record(actor, "create", webhook, audit.diff(None, audit.snapshot(webhook)))
    return webhook, secret


def _owned_by_editor(webhook: Webhook, actor: Actor) -> None:
    if not actor.is_system and webhook.owner_id != actor.user.pk:
        webhook.owner = actor.user


@transaction.atomic
def update_webhook(webhook: Webhook, *, actor: Actor, **values) -> Webhook:
    _require_manager(actor, webhook.organisation)
    values = clean({k: v for k, v in values.items() if k in EDITABLE}, actor)
    current = Webhook.objects.select_for_update().get(pk=webhook.pk)
    before = audit.snapshot(current)
    changed = [k for k, v in values.items() if getattr(current, k) != v]
    for key, value in values.items():
        setattr(webhook, key, value)
    if any(k in OWNING for k in changed):
        _owned_by_editor(webhook, actor)
    webhook.updated_at = timezone.now()
    webhook.full_clean()
    webhook.save()
    changes = audit.diff(before, audit.snapshot(webhook))
    changes.pop("updated_at", None)
    if changes:
        _record(actor, "update", webhook, changes)
    return webhook


def _set_active(webhook: Webhook, actor: Actor, active: bool, reason: str = "") -> Webhook:
    before = audit.snapshot(webhook)
    webhook.active = active
    webhook.paused_reason = "" if active else reason
    if active:
        webhook.failures = 0
    webhook.updated_at = timezone.now()
    webhook.save(update_fields=["active", "paused_reason", "failures", "updated_at"])
    changes = audit.diff(before, audit.snapshot(webhook))
    if changes:
        _record(actor, "update", webhook, changes)
    return webhook


@transaction.atomic
def pause(webhook: Webhook, *, actor: Actor) -> Webhook:
    _require_manager(actor, webhook.organisation)
    return _set_active(webhook, actor, False, _("Paused by %(who)s.") % {"who": actor.display})


@transaction.atomic
def resume(webhook: Webhook, *, actor: Actor) -> Webhook:
    """Active again, its failure count reset: what waited while it was paused is sent."""
    _require_manager(actor, webhook.organisation)
    webhook = _set_active(webhook, actor, True)
    Delivery.objects.filter(webhook=webhook, state="pending").update(next_attempt_at=None)
    transaction.on_commit(_kick)
    return webhook


@transaction.atomic
def rotate_secret(webhook: Webhook, *, actor: Actor) -> tuple[Webhook, str]:
    """A new secret, shown once; the old one stops signing at once."""
    _require_manager(actor, webhook.organisation)
    before = audit.snapshot(webhook)
    secret = new_secret()
    webhook.secret, webhook.secret_hint = secret, secret[:10]
    _owned_by_editor(webhook, actor)
    webhook.updated_at = timezone.now()
    webhook.save()
    _record(actor, "update", webhook, audit.diff(before, audit.snapshot(webhook)))
    return webhook, secret


@transaction.atomic
def delete_webhook(webhook: Webhook, *, actor: Actor) -> None:
    """The webhook and its delivery log go; the audit trail keeps that it existed."""
    _require_manager(actor, webhook.organisation)
    before = audit.snapshot(webhook)
    pk = webhook.pk
    webhook.delete()
    webhook.pk = pk
    _record(actor, "delete", webhook, audit.diff(before, None))


@transaction.atomic
def ping(webhook: Webhook, *, actor: Actor) -> Delivery:
    """A test delivery (no record in it), sent now whether or not the webhook is paused."""
    _require_manager(actor, webhook.organisation)
    delivery = Delivery.objects.create(
        webhook=webhook, key=f"ping_{uuid.uuid4().hex}", action="ping"
    )
    from . import tasks

    transaction.on_commit(lambda: tasks.deliver.enqueue(delivery.pk))
    return delivery


def _kick() -> None:
    from . import tasks

    tasks.dispatch.enqueue()


@transaction.atomic
def pause_failing(webhook: Webhook, reason: Callable[[], str] | str) -> Webhook:
    """Pause a webhook that keeps failing (or whose owner may no longer manage it), audited,
    and tell its owning user by e-mail. ``reason`` says why in the language active when it
    is called: the webhook keeps it in the current language, the e-mail has it in the
    owner's."""
    webhook = Webhook.objects.select_for_update().get(pk=webhook.pk)
    if not webhook.active:
        return webhook
    _set_active(webhook, Actor.system("webhooks"), False, _why(reason))
    owner = webhook.owner
    if owner.email:
        transaction.on_commit(lambda: _tell_owner(webhook, owner, reason))
    return webhook


def _why(reason: Callable[[], str] | str) -> str:
    return str(reason()) if callable(reason) else str(reason)


def _tell_owner(webhook: Webhook, owner, reason: Callable[[], str] | str) -> None:
    """The e-mail to the owning user, in their language."""
    from .payload import site_url

    with translation.override(owner.language or settings.LANGUAGE_CODE):
        names = {"name": repr(webhook.name), "organisation": str(webhook.organisation)}
        subject = _("Concord: webhook %(name)s paused") % names
        message = _(
            "Your webhook %(name)s of %(organisation)s was paused: %(reason)s\n"
            "\n"
            "It sent to %(url)s. Nothing more is sent until a manager resumes it (the events "
            "since wait and are sent then):\n"
            "%(link)s\n"
        ) % {
            **names,
            "reason": _why(reason),
            "url": webhook.url,
            "link": f"{site_url()}{webhook.get_absolute_url()}",
        }
    send_mail(
        subject=subject,
        message=message,
        from_email=None,
        recipient_list=[owner.email],
        fail_silently=True,
    )
