from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "concord.core"
    label = "core"
    verbose_name = _("Concord core")

    def ready(self) -> None:
        # Every app's models are loaded by now (Django calls ready() after that): read each
        # capability's declaration and install its import kinds and save hooks.
        from . import capabilities

        capabilities.discover()
