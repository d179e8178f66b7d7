"""The PostgreSQL fast path of verify_audit agrees with the walk in Python.

The database re-hashes the records (apps.audit.server_check); these tests
prove it finds no fault in an intact chain whose records carry the awkward
text the canonical form has to get right, and that it points at exactly the
record that was altered, so the Python walk can name it.
"""

import pytest
from django.db import connection

from apps.audit.models import AuditAction, AuditRecord
from apps.audit.server_check import check_stretch
from apps.audit.services import AuditEntry, audit_record_many
from apps.audit.verify import GENESIS_HASH, _walk_in_python, chain_walk
from tests.audit.conftest import on_postgresql, tamper

pytestmark = pytest.mark.skipif(
    not on_postgresql(), reason="the database re-hashes only on PostgreSQL"
)

AWKWARD = [
    "plain",
    'quotes " and back\\slash',
    "controls \n \t \r \b \f \x01 \x1f",
    "accents été, Straße, 日本語, emoji 🙂",
    "separators | , : [ ] { }",
    "",
]


@pytest.fixture
def awkward_chain(alice, officer):
    entries = [
        AuditEntry(
            actor=officer if n % 2 else None,
            subject=alice if n % 3 else None,
            action=AuditAction.READ_RECORDS,
            purpose=text or "empty text below",
            dataset_key=text,
            detail={
                text or "k": text,
                "nested": {"list": [1, True, None, text], "zz": {}, "a": -7},
                "longer key first?": False,
            },
        )
        for n, text in enumerate(AWKWARD)
    ]
    return audit_record_many(entries=entries)


def test_an_intact_awkward_chain_fits_on_the_server_and_in_python(awkward_chain):
    head = AuditRecord.objects.order_by("-seq").first()
    suspect, count, last_seq, last_hash = check_stretch(
        connection, after=0, prev=GENESIS_HASH, until=head.seq
    )
    assert (suspect, count, last_seq, last_hash) == (
        None,
        len(AWKWARD),
        head.seq,
        head.hash,
    )
    state = {"records": 0, "seq": 0, "hash": GENESIS_HASH}
    _walk_in_python(connection, state, head.seq, {})
    assert state == {"records": len(AWKWARD), "seq": head.seq, "hash": head.hash}
    assert chain_walk().ok


def test_the_server_points_at_the_altered_record(awkward_chain):
    tamper(
        "UPDATE audit_auditrecord SET detail = detail || '{\"x\": 1}' WHERE seq = 4", []
    )
    suspect, count, *_ = check_stretch(
        connection, after=0, prev=GENESIS_HASH, until=len(AWKWARD)
    )
    assert (suspect, count) == (4, len(AWKWARD))
    report = chain_walk()
    assert (report.ok, report.problem_seq, report.records) == (False, 4, 3)


def test_the_server_points_at_a_broken_link_and_a_gap(awkward_chain):
    tamper("DELETE FROM audit_auditrecord WHERE seq = 3", [])
    suspect, count, *_ = check_stretch(
        connection, after=0, prev=GENESIS_HASH, until=len(AWKWARD)
    )
    assert (suspect, count) == (4, len(AWKWARD) - 1)
    assert chain_walk().problem_seq == 3
