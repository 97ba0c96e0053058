from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "concord.operations"
    label = "operations"
    verbose_name = "Operations registry"
