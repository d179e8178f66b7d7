"""Appending links each record to the one before, in one lock and one statement."""

import datetime as dt
import hashlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.audit.chain import GENESIS_HASH, canonical_timestamp, record_hash
from apps.audit.models import AuditAction, AuditRecord
from apps.audit.services import (
    AuditEntry,
    audit_aggregate_entry,
    audit_record_access,
    audit_record_many,
)
from apps.audit.verify import chain_walk


def recomputed(record: AuditRecord) -> str:
    return record_hash(
        seq=record.seq,
        created_at=canonical_timestamp(record.created_at),
        actor_id=record.actor_id,
        actor_label=record.actor_label,
        subject_id=record.subject_id,
        action=record.action,
        dataset_key=record.dataset_key,
        purpose=record.purpose,
        detail=record.detail,
        prev_hash=record.prev_hash,
    )


def test_it_links_each_record_to_the_one_before(chain):
    stored = list(AuditRecord.objects.order_by("seq"))
    assert [r.seq for r in stored] == [1, 2, 3, 4, 5, 6]
    assert stored[0].prev_hash == GENESIS_HASH
    for before, after in zip(stored, stored[1:], strict=False):
        assert after.prev_hash == before.hash
    # What the database gives back hashes to what was written.
    assert [recomputed(r) for r in stored] == [r.hash for r in stored]
    assert len({r.hash for r in stored}) == 6


def test_the_canonical_form_is_the_documented_one():
    when = dt.datetime(2026, 11, 22, 16, 15, 0, 42, tzinfo=dt.UTC)
    fields = dict(
        seq=3,
        created_at=canonical_timestamp(when),
        actor_id=9,
        actor_label="olivia",
        subject_id=None,
        action="read_aggregate",
        dataset_key="keystrokes",
        purpose="Quarterly dashboard – Zürich",
        detail={"group": "Sales", "department_id": 4, "b": [True, None]},
        prev_hash="a" * 64,
    )
    text = (
        "candor-audit-v2|3|2026-11-22T16:15:00.000042+00:00|" + "a" * 64 + "|"
        '[9, "olivia", null, "read_aggregate", "keystrokes", '
        '"Quarterly dashboard – Zürich", '
        '{"b": [true, null], "group": "Sales", "department_id": 4}]'
    )
    assert record_hash(**fields) == hashlib.sha256(text.encode()).hexdigest()


def test_a_batch_is_one_statement(alice, officer):
    audit_record_access(actor=officer, subject=alice, action="read_counts", purpose="x")
    entries = [
        AuditEntry(
            actor=alice.user,
            subject=alice,
            action=AuditAction.READ_COUNTS,
            purpose="Subject viewing their own data",
            dataset_key=f"dataset-{n}",
            detail={"count": n},
        )
        for n in range(10)
    ]
    with CaptureQueriesContext(connection) as queries:
        records = audit_record_many(entries=entries)
    sql = [q["sql"] for q in queries]
    if connection.vendor == "postgresql":
        # Lock, head, hashes and INSERT are all candor_audit_append().
        assert len(sql) == 1 and "candor_audit_append(" in sql[0]
    else:
        assert len([q for q in sql if q.startswith("INSERT")]) == 1
    assert [r.seq for r in records] == list(range(2, 12))
    assert records[0].prev_hash == AuditRecord.objects.get(seq=1).hash
    assert len({r.created_at for r in records}) == 1
    # What the caller gets back is what was stored.
    stored = AuditRecord.objects.filter(seq__gte=2).order_by("seq")
    assert [(r.pk, r.seq, r.created_at, r.hash) for r in records] == [
        (r.pk, r.seq, r.created_at, r.hash) for r in stored
    ]
    assert [recomputed(r) for r in stored] == [r.hash for r in stored]


def test_it_refuses_what_it_cannot_hash_again(alice, officer):
    for detail in ({"ratio": 0.5}, {1: "x"}, {"blob": b"raw"}, {"text": "a\x00b"}):
        with pytest.raises(ValueError, match="detail"):
            audit_record_access(
                actor=officer,
                subject=alice,
                action="read_records",
                purpose="x",
                detail=detail,
            )
    with pytest.raises(ValueError, match="purpose"):
        audit_record_access(
            actor=officer, subject=alice, action="read_records", purpose=" "
        )
    assert not AuditRecord.objects.exists()


def test_an_aggregate_covers_five_people_and_no_subject(alice, officer):
    with pytest.raises(ValueError, match="at least 5"):
        audit_aggregate_entry(
            actor=officer, purpose="Dashboard", group="Pair", group_size=2
        )
    entry = audit_aggregate_entry(
        actor=officer,
        purpose="Dashboard",
        group="Engineering",
        group_size=12,
        department_id=3,
    )
    record = audit_record_many(entries=[entry])[0]
    assert (record.subject_id, record.detail["department_id"]) == (None, 3)
    with pytest.raises(ValueError, match="group"):
        audit_record_many(entries=[AuditEntry(**{**entry.__dict__, "subject": alice})])


def test_scheduled_work_is_recorded_without_an_actor(alice):
    record = audit_record_access(
        actor=None, subject=alice, action="read_counts", purpose="Retention run"
    )
    assert (record.actor_id, record.actor_label) == (None, "candor")
    assert recomputed(AuditRecord.objects.get(pk=record.pk)) == record.hash


def test_awkward_details_come_back_from_the_database_as_they_were_hashed(alice):
    details = [
        {"zeta": 1, "ab": 2, "b": 3, "aa": 4, "é": 5, "z": {"yy": [], "x": {}}},
        {"text": 'quote " backslash \\ tab \t newline \n bell \x07 \u2028 ☃'},
        {"big": 2**62, "neg": -7, "list": [1, "two", None, False, {"k": "v"}]},
        {},
    ]
    # The other text fields are hashed as the database renders them too.
    texts = ['quote " backslash \\ \t \n \x07 \x7f \u2028 ☃ Zürich', "", "/", "</"]
    audit_record_many(
        entries=[
            AuditEntry(
                actor=None,
                subject=alice,
                action="read_counts",
                purpose=f"p {text}",
                dataset_key=text,
                detail=detail,
            )
            for detail, text in zip(details, texts, strict=True)
        ]
    )
    stored = list(AuditRecord.objects.order_by("seq"))
    assert [r.detail for r in stored] == details
    assert [r.dataset_key for r in stored] == texts
    assert [recomputed(r) for r in stored] == [r.hash for r in stored]
    report = chain_walk()
    assert (report.ok, report.records, report.problem) == (True, 4, "")
