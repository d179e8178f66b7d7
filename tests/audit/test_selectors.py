"""The selectors answer only for the signed-in user: a leak test."""

from apps.audit.selectors import access_log_for_subject, aggregate_log_for_subject
from apps.audit.services import (
    audit_aggregate_entry,
    audit_record_access,
    audit_record_many,
)
from apps.people.models import Department


def test_each_user_gets_only_others_accesses_to_their_own_data(
    alice, bob, charlie, officer
):
    def read(actor, subject):
        return audit_record_access(
            actor=actor, subject=subject, action="read_records", purpose="x"
        ).seq

    visible_to_alice = {read(officer, alice), read(bob.user, alice)}
    visible_to_bob = {read(officer, bob), read(None, bob)}
    visible_to_charlie = {read(alice.user, charlie)}
    own = {read(alice.user, alice), read(bob.user, bob), read(charlie.user, charlie)}

    alices = set(access_log_for_subject(user=alice.user).values_list("seq", flat=True))
    bobs = set(access_log_for_subject(user=bob.user).values_list("seq", flat=True))
    assert alices == visible_to_alice
    assert bobs == visible_to_bob
    charlies = set(
        access_log_for_subject(user=charlie.user).values_list("seq", flat=True)
    )
    assert charlies == visible_to_charlie
    # Hidden from each: everybody's own reads, and the others' logs.
    assert not (alices | bobs | charlies) & own
    assert not alices & (visible_to_bob | visible_to_charlie)
    assert not bobs & (visible_to_alice | visible_to_charlie)
    assert not access_log_for_subject(user=officer).exists()


def test_group_reads_reach_only_the_department_they_cover(alice, bob, officer):
    sales, legal = Department.objects.bulk_create(
        [Department(name="Sales"), Department(name="Legal")]
    )
    alice.department, bob.department = sales, legal
    alice.save()
    bob.save()
    entries = [
        audit_aggregate_entry(
            actor=officer, purpose="p", group=name, group_size=8, department_id=dept.pk
        )
        for name, dept in (("Sales", sales), ("Legal", legal))
    ] + [audit_aggregate_entry(actor=officer, purpose="p", group="All", group_size=90)]
    sales_read, legal_read, company_read = (
        r.seq for r in audit_record_many(entries=entries)
    )
    alices = list(
        aggregate_log_for_subject(user=alice.user).values_list("seq", flat=True)
    )
    bobs = list(aggregate_log_for_subject(user=bob.user).values_list("seq", flat=True))
    assert alices == [sales_read]
    assert bobs == [legal_read]
    assert company_read not in alices + bobs
    assert not aggregate_log_for_subject(user=officer).exists()
