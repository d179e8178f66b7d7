"""Access reviews: items for every live grant; owners recertify; the rest is revoked."""

import csv
import io

import pytest
from django.urls import reverse

from apps.audit.models import AuditRecord
from apps.governance import actions
from apps.governance.models import AccessReview, CaseStatus, ReviewDecision
from apps.governance.permissions import (
    may_read_telemetry,
    readable_cases,
    telemetry_access_grant,
)
from apps.governance.services import reviews as review_services
from apps.governance.services.reviews import (
    access_review_close_due,
    access_review_due,
    access_review_open,
    review_item_decide,
)
from tests.governance.conftest import make_user
from tests.governance.factories import approved_case, days, make_dataset

pytestmark = pytest.mark.django_db


@pytest.fixture
def grants(investigator, dpo, alice, bob, roles):
    keystrokes = make_dataset("keystrokes")
    kept = approved_case(investigator, dpo, alice, [keystrokes])
    dropped = approved_case(investigator, dpo, bob, [keystrokes])
    reader = make_user("rita")
    telemetry_access_grant(granted_by=dpo, user=reader, employee=alice, reason="x")
    return {"kept": kept, "dropped": dropped, "reader": reader}


def test_a_review_lists_every_live_grant_with_its_owner(grants, dpo):
    review = access_review_open()
    items = {
        (item.case_id, item.grant_id is not None): item for item in review.items.all()
    }
    assert set(items) == {
        (grants["kept"].pk, False),
        (grants["dropped"].pk, False),
        (None, True),
    }
    assert {item.owner_id for item in items.values()} == {dpo.pk}
    assert access_review_open() is None  # One open review at a time.
    assert not access_review_due()


def test_unrecertified_grants_are_revoked_when_the_review_ends(
    grants, dpo, investigator, alice, bob, monkeypatch
):
    review = access_review_open()
    kept = review.items.get(case=grants["kept"])
    review_item_decide(item=kept, decided_by=dpo, recertify=True, note="Still needed")
    monkeypatch.setattr(review_services, "now", lambda: review.ends_at + days(1))
    assert access_review_close_due() == [review.pk]
    assert readable_cases(user=investigator, subject=alice).exists()
    assert not readable_cases(user=investigator, subject=bob).exists()
    assert not may_read_telemetry(user=grants["reader"], employee=alice)
    grants["dropped"].refresh_from_db()
    assert grants["dropped"].status == CaseStatus.CLOSED
    decisions = sorted(review.items.values_list("decision", flat=True))
    assert decisions == ["recertified", "revoked", "revoked"]
    assert AuditRecord.objects.filter(action=actions.GRANT_RECERTIFIED).count() == 1
    assert (
        AuditRecord.objects.filter(action=actions.GRANT_REVOKED_IN_REVIEW).count() == 1
    )
    assert AuditRecord.objects.filter(action="revoked_access").count() == 1
    review.refresh_from_db()
    assert review.status == "closed"


def test_only_the_owner_decides(grants, investigator):
    review = access_review_open()
    item = review.items.get(case=grants["kept"])
    with pytest.raises(Exception, match="owner"):
        review_item_decide(item=item, decided_by=investigator, recertify=True)
    item.refresh_from_db()
    assert item.decision == ReviewDecision.PENDING


def test_owner_pages_and_the_auditors_export(
    client, grants, dpo, investigator, auditor
):
    review = access_review_open()
    item = review.items.get(case=grants["dropped"])
    client.force_login(investigator)
    assert client.get(reverse("governance:my_review_items")).context["items"] == []
    url = reverse("governance:review_item_decision", kwargs={"pk": item.pk})
    assert client.post(url, {"decision": "revoke"}).status_code == 404
    client.force_login(dpo)
    listed = client.get(reverse("governance:my_review_items")).context["items"]
    assert item.pk in [i.pk for i in listed]
    assert client.get(url).status_code == 405
    assert client.post(url, {"decision": "revoke"}).status_code == 302
    grants["dropped"].refresh_from_db()
    assert grants["dropped"].status == CaseStatus.CLOSED
    client.force_login(auditor)
    export = client.get(reverse("governance:review_csv", kwargs={"pk": review.pk}))
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    assert len(rows) == 3
    assert {row["decision"] for row in rows} == {"pending", "revoked"}
    client.force_login(investigator)
    assert (
        client.get(
            reverse("governance:review_csv", kwargs={"pk": review.pk})
        ).status_code
        == 404
    )
    client.logout()
    assert client.get(reverse("governance:my_review_items")).status_code == 302


def test_the_next_review_opens_after_the_interval(grants, monkeypatch, settings):
    review = access_review_open()
    monkeypatch.setattr(review_services, "now", lambda: review.ends_at + days(1))
    access_review_close_due()
    assert not access_review_due(at=review.opened_at + days(30))
    assert access_review_due(
        at=review.opened_at + days(settings.GOVERNANCE_REVIEW_INTERVAL_DAYS)
    )
    assert AccessReview.objects.count() == 1
