"""The header's search index: one row per findable record (concord.core.search)."""

from __future__ import annotations

from django.db import models


class SearchEntry(models.Model):
    """A record's own words, folded (lower case, no accents, no punctuation).

    The index only narrows the search: what a reader is shown is read again from the
    record's model through its ``visible_to``, so a stale or extra entry can never show a
    record, only fail to find one. Matching uses SQLite's FTS5 trigram index or PostgreSQL's
    ``pg_trgm`` GIN index on ``text`` (created by the migration, one per database)."""

    model = models.CharField(max_length=60)  # "operations.operation"
    object_id = models.PositiveBigIntegerField()
    title = models.CharField(max_length=300)  # folded name: ranks exact and prefix matches
    text = models.TextField()  # folded words of the title, the other fields and the codes
    codes = models.CharField(max_length=300, blank=True)  # " mli ml " (each padded): exact

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["model", "object_id"], name="uniq_search_entry")
        ]
        indexes = [models.Index(fields=["title"], name="core_searchentry_title")]

    def __str__(self) -> str:
        return f"{self.model} {self.object_id}: {self.title}"
