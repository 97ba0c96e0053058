from django.apps import AppConfig


class AdministrationConfig(AppConfig):
    name = "concord.administration"
    label = "administration"
    verbose_name = "Administration"
