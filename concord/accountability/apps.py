from django.apps import AppConfig


class AccountabilityConfig(AppConfig):
    name = "concord.accountability"
    label = "accountability"
    verbose_name = "Accountability"
