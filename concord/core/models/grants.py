"""A person's membership of a space for a while (a deployed expert's access)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .security import Space, User


class SpaceGrant(models.Model):
    """One person's membership of a space for a while, beside their organisations' spaces: a
    deployed expert's access to the request's space. It holds only between ``starts_at`` and
    ``ends_at`` (the principal reads the clock), so access ends on time even if nothing runs;
    ``concord.core.grants.expire_space_grants`` then removes it, audited."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="space_grants", verbose_name=_("user")
    )
    space = models.ForeignKey(
        Space, on_delete=models.CASCADE, related_name="grants", verbose_name=_("space")
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=300)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-starts_at", "pk"]
        indexes = [models.Index(fields=["user", "ends_at"]), models.Index(fields=["ends_at"])]
        verbose_name = _("space grant")
        verbose_name_plural = _("space grants")

    def __str__(self) -> str:
        return gettext("%(user)s in %(space)s until %(until)s") % {
            "user": self.user_id,
            "space": self.space_id,
            "until": f"{self.ends_at:%Y-%m-%d %H:%M}",
        }
