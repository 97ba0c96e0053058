"""What the webhooks capability brings (see concord.core.capabilities): an organisation's
managers subscribe URLs to changes (record types × actions, with filters); deliveries are
read from the audit trail, signed, retried, and carry only what the owning user may see."""

from django.utils.translation import gettext_lazy as _

from concord.core.capabilities import Capability, NavEntry, Route, Schedule

CAPABILITY = Capability(
    label="webhooks",  # untranslated: the capability's code
    title=_("Webhooks"),
    urls="concord.webhooks.urls",
    api=(
        Route("webhooks", "concord.webhooks.api.WebhookViewSet", "webhook"),
        Route("deliveries", "concord.webhooks.api.DeliveryViewSet", "delivery"),
        Route("record-types", "concord.webhooks.api.RecordTypeViewSet", "recordtype"),
    ),
    navigation=(
        NavEntry(
            _("Platform"),
            _("Webhooks"),
            "webhooks:webhook_list",
            signed_in_only=True,
        ),
    ),
    test_world="concord.webhooks.fixtures.testworld",
    schedules=(Schedule("concord.webhooks.tasks.dispatch", every=60),),
)
