"""Audit entries carry the security of their record on both sides of the change.

Entries written before this migration (format 1) get their scope derived from the trail
itself (``concord.core.audit.LegacyScopes``): their hashes cover what they held then, so the
chain still verifies, and ``concord audit verify`` derives their scopes again and reports
any that were edited since. New entries (format 2) hash their scope with the rest.
"""

from django.db import migrations, models


def derive_scopes(apps, schema_editor):
    from concord.core.audit import LegacyScopes, scoped_in

    AuditEntry = apps.get_model("core", "AuditEntry")
    legacy = LegacyScopes(scoped_in(apps))
    batch = []
    fields = ["scope", "prior_owner_id", "prior_classification"]
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        entry.scope, entry.prior_owner_id, entry.prior_classification = legacy.derive(entry)
        if entry.scope is not None:
            batch.append(entry)
        if len(batch) >= 1000:
            AuditEntry.objects.bulk_update(batch, fields)
            batch = []
    if batch:
        AuditEntry.objects.bulk_update(batch, fields)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_trigram_search")]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="scope",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="prior_owner_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="prior_classification",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="format",
            field=models.PositiveSmallIntegerField(default=1),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="format",
            field=models.PositiveSmallIntegerField(default=2),
        ),
        migrations.RunPython(derive_scopes, migrations.RunPython.noop, elidable=False),
    ]
