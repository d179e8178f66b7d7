"""A delayed case stays out of its employee's "who looked at my data" page
until the notice is due, so the page cannot tip off an investigation."""

import datetime as dt

from apps.audit.models import AuditAction
from apps.audit.selectors import access_log_for_subject
from apps.audit.services import audit_record_access
from apps.governance.selectors import cases as case_selectors
from tests.governance.factories import approved_case, make_dataset


def read_under(case, reader):
    return audit_record_access(
        actor=reader,
        subject=case.subject,
        action=AuditAction.READ_RECORDS,
        purpose=case.justification,
        dataset_key="keystrokes",
        detail={"case_id": case.pk},
    )


def visible_ids(employee) -> set[int]:
    return set(access_log_for_subject(user=employee.user).values_list("pk", flat=True))


def test_a_delayed_case_is_hidden_until_its_notice_is_due(
    investigator, dpo, alice, monkeypatch
):
    keystrokes = make_dataset("keystrokes")
    case = approved_case(
        investigator,
        dpo,
        alice,
        [keystrokes],
        notify_delay_days=10,
        notify_delay_reason="Interviews first",
    )
    read = read_under(case, investigator)
    assert read.pk not in visible_ids(alice)
    later = case.notify_subject_after + dt.timedelta(seconds=1)
    monkeypatch.setattr(case_selectors, "now", lambda: later)
    assert read.pk in visible_ids(alice)


def test_an_immediately_notified_case_is_shown_at_once(investigator, dpo, alice):
    keystrokes = make_dataset("keystrokes")
    case = approved_case(investigator, dpo, alice, [keystrokes])
    read = read_under(case, investigator)
    assert read.pk in visible_ids(alice)
