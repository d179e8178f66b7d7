"""Step 3 of 3: the chain's columns become required and constrained; the
signed checkpoints and the record of verification runs."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_chain_existing_records")]

    operations = [
        migrations.AlterField(
            model_name="auditrecord",
            name="seq",
            field=models.PositiveBigIntegerField(
                editable=False, verbose_name="sequence number"
            ),
        ),
        migrations.AlterField(
            model_name="auditrecord",
            name="prev_hash",
            field=models.CharField(
                editable=False, max_length=64, verbose_name="previous hash"
            ),
        ),
        migrations.AlterField(
            model_name="auditrecord",
            name="hash",
            field=models.CharField(editable=False, max_length=64, verbose_name="hash"),
        ),
        migrations.AlterField(
            model_name="auditrecord",
            name="action",
            field=models.CharField(
                choices=[
                    ("read_counts", "Counted records"),
                    ("read_records", "Read records"),
                    ("read_file", "Opened a file"),
                    ("read_aggregate", "Read figures about a group"),
                    ("granted_access", "Granted access"),
                    ("revoked_access", "Revoked access"),
                ],
                max_length=32,
                verbose_name="action",
            ),
        ),
        migrations.AlterModelOptions(
            name="auditrecord",
            options={
                "ordering": ["-seq"],
                "verbose_name": "audit record",
                "verbose_name_plural": "audit records",
            },
        ),
        migrations.AddConstraint(
            model_name="auditrecord",
            constraint=models.UniqueConstraint(
                fields=("seq",), name="audit_record_seq_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="auditrecord",
            constraint=models.CheckConstraint(
                condition=models.Q(("seq__gte", 1)), name="audit_record_seq_gte_1"
            ),
        ),
        migrations.AddConstraint(
            model_name="auditrecord",
            constraint=models.UniqueConstraint(
                fields=("hash",), name="audit_record_hash_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="auditrecord",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("action", "read_aggregate"), _negated=True),
                    ("subject__isnull", True),
                    _connector="OR",
                ),
                name="audit_aggregate_has_no_subject",
            ),
        ),
        migrations.AddIndex(
            model_name="auditrecord",
            index=models.Index(
                condition=models.Q(("action", "read_aggregate")),
                fields=["created_at"],
                name="audit_aggregate_reads",
            ),
        ),
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "seq",
                    models.PositiveBigIntegerField(
                        editable=False, verbose_name="last record covered"
                    ),
                ),
                (
                    "record_hash",
                    models.CharField(max_length=64, verbose_name="hash of that record"),
                ),
                (
                    "signed_at",
                    models.DateTimeField(editable=False, verbose_name="signed at"),
                ),
                (
                    "key_id",
                    models.CharField(max_length=16, verbose_name="signing key id"),
                ),
                (
                    "signature",
                    models.CharField(max_length=64, verbose_name="signature"),
                ),
            ],
            options={
                "verbose_name": "audit checkpoint",
                "verbose_name_plural": "audit checkpoints",
                "ordering": ["-seq"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("seq",), name="audit_checkpoint_seq_unique"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="AuditVerification",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("started_at", models.DateTimeField(verbose_name="started at")),
                ("finished_at", models.DateTimeField(verbose_name="finished at")),
                ("ok", models.BooleanField(verbose_name="chain intact")),
                (
                    "records",
                    models.PositiveBigIntegerField(verbose_name="records checked"),
                ),
                (
                    "last_seq",
                    models.PositiveBigIntegerField(
                        null=True, verbose_name="last record"
                    ),
                ),
                ("message", models.TextField(verbose_name="result")),
                (
                    "problem_seq",
                    models.PositiveBigIntegerField(
                        null=True, verbose_name="first bad record"
                    ),
                ),
                (
                    "checkpoint",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="audit.auditcheckpoint",
                        verbose_name="checkpoint signed",
                    ),
                ),
            ],
            options={
                "verbose_name": "audit verification",
                "verbose_name_plural": "audit verifications",
                "ordering": ["-started_at"],
                "get_latest_by": "started_at",
            },
        ),
    ]
