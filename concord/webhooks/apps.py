from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "concord.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from concord.core.audit import recorded

        from . import dispatch

        recorded.connect(dispatch.on_recorded, dispatch_uid="concord.webhooks.dispatch")
