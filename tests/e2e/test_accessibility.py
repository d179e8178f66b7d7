"""axe-core on the main pages, as each kind of user sees them: no violation
of impact "serious" or "critical" (WCAG 2.x A/AA and best practices).

The data behind the pages is made through the services, and the requests
are carried out eagerly in this process: these tests look at pages, the
journeys next to them test the worker.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.reports.models import Bundle
from apps.rights.models import Request, RequestKind
from apps.rights.services.lifecycle import request_file
from portal.celery import app as celery_app
from tests.e2e.browser import AXE_SCRIPT, axe_violations, sign_in
from tests.e2e.conftest import staff_user

pytestmark = pytest.mark.django_db(databases=["default", "telemetry"], transaction=True)


@pytest.fixture(autouse=True)
def _axe_installed():
    """A missing axe-core fails every test here, never skips it."""
    if not AXE_SCRIPT.is_file():
        pytest.fail(
            f"axe-core is missing ({AXE_SCRIPT}): run `npm ci` at the repository "
            "root (`make test` does) before the browser tests"
        )


@pytest.fixture
def requests_of_alice(alice, catalog, officer):
    """A completed access request and an erasure waiting for an officer."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        access = request_file(
            subject=alice, kind=RequestKind.ACCESS, filed_by=alice.user
        )
    finally:
        celery_app.conf.task_always_eager = previous
    erasure = request_file(subject=alice, kind=RequestKind.ERASURE, filed_by=alice.user)
    assert Request.objects.get(pk=access.pk).status == "completed"
    return {"access": access, "erasure": erasure}


@pytest.fixture
def bundle(officer, regulator):
    return Bundle.objects.create(
        recipient=regulator,
        requested_by=officer,
        period_start="2000-01-01",
        period_end="2100-01-01",
    )


def check(page, urls: list[str]) -> list[str]:
    found = []
    for url in urls:
        response = page.goto(url)
        assert response.status == 200, f"{url}: {response.status}"
        found += axe_violations(page)
    return found


def test_the_sign_in_and_employee_pages_have_no_serious_violation(
    browse, alice, ai_training, requests_of_alice, password
):
    # The CSP (nonces) would refuse the injected axe script: bypassed here
    # only, the journeys run under the real policy.
    page = browse(bypass_csp=True)
    page.goto(reverse("login"))
    found = axe_violations(page)
    sign_in(page, alice.user, password)
    access = requests_of_alice["access"]
    found += check(
        page,
        [
            reverse("people:my_data"),
            reverse("people:subject_dataset", args=[alice.public_id, "keystrokes"]),
            reverse("people:subject_dataset", args=[alice.public_id, "screens"]),
            reverse("consent:my_choices"),
            reverse("rights:my_requests"),
            reverse("rights:request_new"),
            reverse("rights:request_detail", args=[access.public_id]),
            reverse(
                "rights:request_detail",
                args=[requests_of_alice["erasure"].public_id],
            ),
        ],
    )
    assert found == [], "\n".join(found)


def test_the_officer_pages_have_no_serious_violation(
    browse, requests_of_alice, officer, bundle, password
):
    page = browse(bypass_csp=True)
    sign_in(page, officer, password)
    found = check(
        page,
        [
            reverse("rights:officer_queue"),
            *(
                reverse("rights:officer_request", args=[r.public_id])
                for r in requests_of_alice.values()
            ),
            reverse("reports:officer_dashboard"),
            reverse("reports:ropa"),
            reverse("reports:request_records"),
            reverse("reports:dpia_register"),
            reverse("reports:bundle_list"),
            reverse("reports:bundle_detail", args=[bundle.public_id]),
        ],
    )
    assert found == [], "\n".join(found)


def test_the_dpo_hr_and_regulator_report_pages_have_no_serious_violation(
    browse, catalog, regulator, bundle, password
):
    dpo = staff_user("dora", "dpo", "hr", number="S003")
    page = browse(bypass_csp=True)
    sign_in(page, dpo, password)
    found = check(
        page, [reverse("reports:dpo_dashboard"), reverse("reports:hr_dashboard")]
    )

    page = browse(bypass_csp=True)
    sign_in(page, regulator, password)
    found += check(
        page,
        [
            reverse("reports:bundle_list"),
            reverse("reports:bundle_detail", args=[bundle.public_id]),
        ],
    )
    assert found == [], "\n".join(found)


def test_the_check_itself_finds_serious_violations(browse):
    """The check is not blind: an image without a text alternative and a
    field without a label are reported (axe: image-alt, label)."""
    page = browse(bypass_csp=True)
    page.goto(reverse("login"))
    page.evaluate(
        """() => {
          const main = document.querySelector("main");
          main.insertAdjacentHTML("beforeend",
            '<img src="/static/x.png"><input type="text" name="unlabelled">');
        }"""
    )
    rules = {line.split(": ", 1)[1].split(" ", 1)[0] for line in axe_violations(page)}
    assert {"image-alt", "label"} <= rules
