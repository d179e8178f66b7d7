"""Two clicks from "My data" or a dataset page to a filed request: the link
preselects the type and the data, the form files it."""

import html
import re

import pytest
from django.urls import reverse

from apps.rights.lifecycle import RequestStatus as S
from apps.rights.models import Request

pytestmark = pytest.mark.django_db(databases=["default", "telemetry"], transaction=True)


def _links(body: str, prefix: str) -> list[str]:
    return [
        html.unescape(h)
        for h in re.findall(r'href="([^"]+)"', body)
        if h.startswith(prefix)
    ]


def _form_data(form) -> dict:
    """What the browser sends for the form as preselected."""
    data = {"kind": form.initial["kind"], "scope": form.initial["scope"]}
    if form.initial.get("datasets"):
        data["datasets"] = [d.pk for d in form.initial["datasets"]]
    return data


def test_two_clicks_from_my_data_file_a_copy_of_a_program(client, catalog, alice, sent):
    client.force_login(alice.user)
    my_data = client.get(reverse("people:my_data")).content.decode()
    new = reverse("rights:request_new")
    [copy] = [
        h for h in _links(my_data, new) if "program=endpoint" in h and "access" in h
    ]

    form = client.get(copy).context["form"]  # click one
    response = client.post(new, _form_data(form))  # click two

    req = Request.objects.get(subject=alice)
    assert response.status_code == 302
    assert (req.kind, req.status, req.all_programs) == ("access", S.IN_PROGRESS, False)
    assert set(req.datasets.values_list("key", flat=True)) == {"keystrokes", "screens"}
    assert sorted(sent.jobs) == sorted(req.jobs.values_list("pk", flat=True))


def test_two_clicks_from_a_dataset_page_file_its_erasure(client, catalog, alice):
    client.force_login(alice.user)
    page = reverse(
        "people:subject_dataset",
        kwargs={"public_id": alice.public_id, "key": "keystrokes"},
    )
    body = client.get(page).content.decode()
    new = reverse("rights:request_new")
    [erase] = [h for h in _links(body, new) if "kind=erasure" in h]

    form = client.get(erase).context["form"]
    client.post(new, _form_data(form))

    req = Request.objects.get(subject=alice)
    assert (req.kind, req.status) == ("erasure", S.AWAITING_APPROVAL)
    assert list(req.datasets.values_list("key", flat=True)) == ["keystrokes"]


def test_the_navigation_offers_my_requests_and_the_queue(client, catalog, alice):
    from apps.governance.services.roles import roles_sync
    from tests.governance.conftest import make_user

    client.force_login(alice.user)
    body = client.get(reverse("people:my_data")).content.decode()
    assert reverse("rights:my_requests") in body
    assert reverse("rights:officer_queue") not in body

    roles_sync()
    officer = make_user("olga", "privacy_officer", employee_number="S002")
    client.force_login(officer)
    body = client.get(reverse("people:my_data")).content.decode()
    assert reverse("rights:officer_queue") in body
