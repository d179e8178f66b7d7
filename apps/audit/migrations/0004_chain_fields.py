"""Step 1 of 3 for the hash chain: the new columns, nullable for now."""

from django.db import migrations, models

import apps.audit.chain


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_audit_actions_for_grants")]

    operations = [
        migrations.AddField(
            model_name="auditrecord",
            name="seq",
            field=models.PositiveBigIntegerField(
                editable=False, null=True, verbose_name="sequence number"
            ),
        ),
        migrations.AddField(
            model_name="auditrecord",
            name="prev_hash",
            field=models.CharField(
                editable=False, max_length=64, null=True, verbose_name="previous hash"
            ),
        ),
        migrations.AddField(
            model_name="auditrecord",
            name="hash",
            field=models.CharField(
                editable=False, max_length=64, null=True, verbose_name="hash"
            ),
        ),
        # Before the records are chained (0005): the text stored is the text hashed.
        migrations.AlterField(
            model_name="auditrecord",
            name="detail",
            field=models.JSONField(
                blank=True,
                default=dict,
                encoder=apps.audit.chain.CanonicalDetailEncoder,
                verbose_name="detail",
            ),
        ),
        # The service sets it: the value hashed must be the value stored.
        migrations.AlterField(
            model_name="auditrecord",
            name="created_at",
            field=models.DateTimeField(
                db_index=True, editable=False, verbose_name="when"
            ),
        ),
    ]
