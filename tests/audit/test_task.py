"""The daily verification: officers are e-mailed when the chain is broken."""

from django.contrib.auth.models import Group, Permission
from django.core import mail

from apps.audit.models import AuditVerification
from apps.audit.tasks import checkpoint_audit_chain, verify_audit_chain
from apps.people.models import User
from tests.audit.conftest import make_officer, tamper


def test_a_broken_chain_alerts_every_officer_and_is_recorded(chain, officer):
    auditors = Group.objects.create(name="audit-readers")
    auditors.permissions.add(Permission.objects.get(codename="view_auditrecord"))
    through_group = User.objects.create_user(
        "gus", email="gus@example.com", is_staff=True
    )
    through_group.groups.add(auditors)
    make_officer("inactive", is_active=False)
    not_staff = make_officer("nostaff")
    not_staff.is_staff = False
    not_staff.save()
    User.objects.create_user("plain", email="plain@example.com", is_staff=True)
    tamper("DELETE FROM audit_auditrecord WHERE seq = 3")

    verify_audit_chain.apply()

    verification = AuditVerification.objects.get()
    assert (verification.ok, verification.problem_seq) == (False, 3)
    assert "Record #3 was removed" in verification.message
    assert sorted(m.to[0] for m in mail.outbox) == [
        "gus@example.com",
        "olivia@example.com",
    ]
    assert all(len(m.to) == 1 for m in mail.outbox)
    assert mail.outbox[0].subject == "Candor: the audit log failed verification"
    assert "Record #3 was removed" in mail.outbox[0].body


def test_an_intact_chain_is_recorded_and_nobody_is_disturbed(chain, officer):
    verify_audit_chain.apply()
    checkpoint_audit_chain.apply()
    runs = list(AuditVerification.objects.order_by("started_at"))
    assert [run.ok for run in runs] == [True, True]
    assert runs[0].checkpoint.seq == 6
    assert mail.outbox == []
