from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "concord.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")

    def ready(self):
        # The list pages (concord.web.generic) hand large imports and exports to the jobs.
        from concord.core import importers

        importers.BACKGROUND.update(
            export="concord.jobs.bulk.start_export", import_="concord.jobs.bulk.start_import"
        )
