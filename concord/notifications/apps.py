from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "concord.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        from concord.core.audit import recorded

        from .services.fanout import on_recorded

        recorded.connect(on_recorded, dispatch_uid="concord.notifications.fan_out")
