"""The menu offers each role exactly the work pages it may open."""

import re

import pytest
from django.urls import reverse

from tests.governance.conftest import make_user

WORK_PAGES = {
    "governance:case_list",
    "governance:case_queue",
    "governance:hold_list",
    "governance:exposure",
    "governance:review_list",
    "governance:retention_runs",
    "consent:rates",
    "governance:my_review_items",
}


def work_links(client, user) -> set[str]:
    client.force_login(user)
    body = client.get(reverse("people:my_data")).content.decode()
    menu = re.search(r'<nav class="work-nav".*?</nav>', body, re.S)
    if menu is None:
        return set()
    hrefs = set(re.findall(r'href="([^"]+)"', menu.group(0)))
    return {name for name in WORK_PAGES if reverse(name) in hrefs}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("employee", set()),
        ("manager", {"consent:rates", "governance:my_review_items"}),
        (
            "security_investigator",
            {"governance:case_list", "governance:my_review_items"},
        ),
        (
            "dpo",
            WORK_PAGES - {"governance:case_list"},
        ),
        (
            "privacy_officer",
            WORK_PAGES - {"governance:case_queue"},
        ),
    ],
)
def test_each_role_is_offered_its_pages(client, roles, role, expected):
    user = make_user(f"nav-{role}", role, employee_number=f"NAV-{role}")
    assert work_links(client, user) == expected


def test_every_offered_page_opens_for_that_role(client, roles):
    for role in ("dpo", "privacy_officer", "auditor", "regulator", "hr"):
        user = make_user(f"open-{role}", role, employee_number=f"OPEN-{role}")
        for name in work_links(client, user):
            assert client.get(reverse(name)).status_code == 200, (role, name)
