"""Step 2 of 3: number and chain the records written before the chain existed.

They are chained in the order they were written (by id), with the canonical
form of apps.audit.chain (version 2 since migration 0010; a database chained
under version 1 does not verify under version 2, docs/audit.md).
"""

from django.db import migrations


def chain_existing(apps, schema_editor):
    from apps.audit.chain import GENESIS_HASH, canonical_timestamp, record_hash

    AuditRecord = apps.get_model("audit", "AuditRecord")
    prev = GENESIS_HASH
    records = AuditRecord.objects.using(schema_editor.connection.alias).order_by("id")
    for seq, record in enumerate(records.iterator(chunk_size=2000), start=1):
        detail = (
            record.detail
            if isinstance(record.detail, dict)
            else {"value": record.detail}
        )
        record.seq, record.prev_hash, record.detail = seq, prev, detail
        record.hash = prev = record_hash(
            seq=seq,
            created_at=canonical_timestamp(record.created_at),
            actor_id=record.actor_id,
            actor_label=record.actor_label,
            subject_id=record.subject_id,
            action=record.action,
            dataset_key=record.dataset_key,
            purpose=record.purpose,
            detail=detail,
            prev_hash=record.prev_hash,
        )
        record.save(update_fields=["seq", "prev_hash", "hash", "detail"])


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_chain_fields")]

    operations = [migrations.RunPython(chain_existing, migrations.RunPython.noop)]
