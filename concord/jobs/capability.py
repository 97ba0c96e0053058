"""What the jobs capability brings (see concord.core.capabilities): background jobs the user
can follow (large imports and exports), the worker's schedules, and the cleanup of expired
results."""

from django.utils.translation import gettext_lazy as _

from concord.core.capabilities import Capability, NavEntry, Route, Schedule

CAPABILITY = Capability(
    label="jobs",  # untranslated: the capability's code (URL namespace, API path)
    title=_("Background jobs"),
    urls="concord.jobs.urls",
    api=(Route("jobs", "concord.jobs.api.JobViewSet", "job"),),
    navigation=(
        NavEntry(
            _("Platform"),
            _("Jobs"),
            "jobs:job_list",
            signed_in_only=True,
        ),
    ),
    schedules=(Schedule("concord.jobs.tasks.expire_jobs", 3600),),
    test_world="concord.jobs.fixtures.testworld",
)
