"""What the notifications capability brings (see concord.core.capabilities): following
records, operations, countries and spaces; notifications from the audit trail; e-mail
digests; and the home page's "recent changes to what you follow"."""

from django.utils.translation import gettext_lazy as _

from concord.core.capabilities import Capability, NavEntry, Route, Schedule

_API = "concord.notifications.api"

CAPABILITY = Capability(
    label="notifications",  # untranslated: the app label, a code
    title=_("Notifications"),
    urls="concord.notifications.urls",
    api=(
        Route("follows", f"{_API}.FollowViewSet", "follow"),
        Route("notifications", f"{_API}.NotificationViewSet", "notification"),
        Route("digest", f"{_API}.DigestViewSet", "digest"),
        Route("attention", f"{_API}.AttentionViewSet", "attention"),
    ),
    navigation=(
        NavEntry(
            _("Platform"),
            _("Notifications"),
            "notifications:notification_list",
            True,
        ),
        NavEntry(
            _("Platform"),
            _("Following"),
            "notifications:following",
            True,
        ),
    ),
    seed_demo="concord.notifications.fixtures.demo.demo",
    test_world="concord.notifications.fixtures.testworld",
    schedules=(
        Schedule("concord.notifications.tasks.fan_out_task", 60),
        Schedule("concord.notifications.tasks.send_digests_task", 60),
    ),
    attention=("concord.notifications.loaders.recent_changes",),
)
