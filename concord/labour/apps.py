from django.apps import AppConfig


class LabourConfig(AppConfig):
    name = "concord.labour"
    label = "labour"
    verbose_name = "Division of labour"
