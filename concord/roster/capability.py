"""What the roster capability brings (see concord.core.capabilities): experts, requests on a
72-hour clock, conflict-of-interest screening, explained matching, team assignment,
alerts and deployments."""

from django.utils.translation import gettext_lazy as _

from concord.core.capabilities import Capability

CAPABILITY = Capability(
    label="roster",  # untranslated: the app label (a code)
    title=_("Roster"),
)
