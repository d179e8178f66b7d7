"""An employee, in a real browser: signs in, sees their data, withdraws a
consent, asks for a copy, watches it being made, downloads and opens it.
Then a second employee tries every address of the first one's objects and
gets 404 for each, and nothing of the first one's changes."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.consent.models import ConsentEvent, ConsentState, ConsentStateKind
from apps.rights.models import Job, Request, RequestKind, RequestMessage
from apps.rights.views.downloads import download_token
from tests.e2e.browser import download, sign_in, sign_in_ago
from tests.monitoring_fixtures import device_rows
from tests.worker import wait_until

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(databases=["default", "telemetry"], transaction=True),
]


def see_my_data(page) -> None:
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    main = page.get_by_role("main")
    expect(main.get_by_role("link", name="Keystrokes")).to_be_visible()
    expect(main.get_by_role("link", name="Screen captures")).to_be_visible()
    expect(main).to_contain_text("Endpoint monitoring")


def withdraw_consent(page, alice, program) -> None:
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="My choices"
    ).click()
    page.get_by_role("button", name=f"Withdraw consent to {program.name}").click()
    card = page.get_by_role("region", name=program.name)
    expect(card.locator("[data-state=withdrawn]")).to_be_visible()
    state = ConsentState.objects.get(employee=alice, program=program)
    assert state.state == ConsentStateKind.WITHDRAWN
    assert list(
        ConsentEvent.objects.filter(employee=alice, program=program)
        .order_by("pk")
        .values_list("kind", flat=True)
    ) == ["granted", "withdrawn"]


def file_access_request(page, alice) -> Request:
    page.goto(reverse("rights:request_new") + "?kind=access")
    expect(page.get_by_role("radio", name=re.compile(r"^Access"))).to_be_checked()
    everything = page.get_by_role(
        "radio", name="Everything the monitoring holds about me", exact=True
    )
    expect(everything).to_be_checked()
    page.get_by_role("button", name="Send my request").click()
    page.wait_for_url("**/rights/requests/*/")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Access"))
    request = Request.objects.get(subject=alice, kind=RequestKind.ACCESS)
    assert page.url.endswith(reverse("rights:request_detail", args=[request.public_id]))
    return request


READ_PROGRESS = """() => {
  const box = document.querySelector("[data-progress-url]");
  const bar = box.querySelector("progress[aria-label='Overall progress']");
  return {value: bar ? Number(bar.value) : null,
          settled: box.getAttribute("data-settled") === "true"};
}"""


def watch_progress(page) -> list[int]:
    """Wait for the polled progress to settle; return what the overall bar
    showed along the way (the page updates itself, no reload). Bar and
    state are read together: the script swaps the whole box."""
    seen: list[int] = []

    def settled() -> bool:
        now = page.evaluate(READ_PROGRESS)
        if now["value"] is not None and (not seen or seen[-1] != now["value"]):
            seen.append(now["value"])
        return now["settled"]

    wait_until(settled, timeout=60, interval=0.25)
    return seen


def open_archive(page, alice, password) -> zipfile.ZipFile:
    link = page.get_by_role("link", name="Download your data (ZIP)")
    expect(link).to_be_visible()
    # Signed in an hour ago: the download asks to confirm it is them.
    sign_in_ago(page, minutes=60)
    got, stepped_up = download(page, link, user=alice.user, password=password)
    assert stepped_up
    assert got.suggested_filename.endswith(".zip")
    return zipfile.ZipFile(io.BytesIO(got.path().read_bytes()))


def check_archive(archive: zipfile.ZipFile) -> None:
    names = archive.namelist()
    assert "manifest.json" in names
    manifest = json.loads(archive.read("manifest.json"))
    assert {entry["path"] for entry in manifest["files"]} <= set(names)
    lines = [json.loads(x) for x in archive.read("keystrokes.jsonl").splitlines()]
    assert sorted(
        (int(x["key"]), x["values"]["device_serial"], x["values"]["typed_text"])
        for x in lines
    ) == device_rows("SN-ALICE-1")
    assert sorted(n for n in names if n.endswith(".png")) == [
        "files/screens/captures/SN-ALICE-1/2026-11-05/1.png",
        "files/screens/captures/SN-ALICE-1/2026-11-06/2.png",
    ]
    everything = b"".join(archive.read(n) for n in names)
    for other in (b"SN-BOB-1", b"bob secret", b"bob@example.com"):
        assert other not in everything


def test_it_gives_an_employee_their_data_and_a_stranger_nothing(
    browse, worker, alice, bob, catalog, ai_training, password
):
    page = browse()
    sign_in(page, alice.user, password)
    see_my_data(page)
    withdraw_consent(page, alice, ai_training)

    request = file_access_request(page, alice)
    seen = watch_progress(page)
    assert seen and seen[-1] == 100 and seen == sorted(seen), seen
    # The live box shows each dataset done and the link, without a reload.
    rows = page.locator("[data-progress-url] .progress-row")
    expect(rows).to_have_count(2)
    wait_until(lambda: Request.objects.get(pk=request.pk).status == "completed")
    request.refresh_from_db()
    check_archive(open_archive(page, alice, password))
    request.export.refresh_from_db()
    assert request.export.downloads == 1

    gets, posts = alices_addresses(page, alice, request)
    # The addresses are right: alice herself opens every one that is hers.
    mine = [u for u in gets if "/certificate/" not in u and "/queue/" not in u]
    assert {u: page.request.get(u).status for u in mine} == {u: 200 for u in mine}
    stranger_gets_404_everywhere(browse, alice, bob, request, gets, posts, password)


# -- the second employee ----------------------------------------------------


def alices_addresses(page, alice, request) -> tuple[list[str], list[str]]:
    """Every page and action of alice's objects: (GET urls, POST urls). Her
    captures' addresses are read from her own page, as she sees them."""
    who = alice.public_id
    pid = request.public_id
    page.goto(reverse("people:subject_dataset", args=[who, "screens"]))
    images = page.get_by_role("img", name=re.compile("^Screen capture"))
    expect(images).to_have_count(2)
    files = [images.nth(n).get_attribute("src") for n in range(2)]
    receipts = [
        reverse("consent:receipt", args=[e.pk])
        for e in ConsentEvent.objects.filter(employee=alice)
    ]
    jobs = list(Job.objects.filter(request=request).values_list("pk", flat=True))
    gets = [
        reverse("people:subject_dataset", args=[who, "keystrokes"]),
        reverse("people:subject_dataset", args=[who, "screens"]),
        *files,
        *receipts,
        reverse("rights:request_detail", args=[pid]),
        reverse("rights:request_progress", args=[pid]),
        reverse("rights:certificate", args=[pid]),
        reverse("rights:download", args=[download_token(request.export)]),
        reverse("rights:officer_request", args=[pid]),
        reverse("api:rights_request", args=[pid]),
        reverse("api:rights_download", args=[pid]),
        reverse("api:rights_download_file", args=[download_token(request.export)]),
    ]
    posts = [
        reverse("rights:request_message", args=[pid]),
        reverse("rights:request_withdraw", args=[pid]),
        reverse("rights:officer_approve", args=[pid]),
        *[reverse("rights:task_confirm", args=[job]) for job in jobs],
    ]
    assert len(receipts) == 2 and jobs, "the journey should have left these"
    return gets, posts


def stranger_gets_404_everywhere(
    browse, alice, bob, request, gets, posts, password
) -> None:
    request.export.refresh_from_db()
    before = (
        Request.objects.filter(subject=alice).values_list("pk", "status").get(),
        RequestMessage.objects.count(),
        request.export.downloads,
    )
    page = browse()
    sign_in(page, bob.user, password)
    answers = {}
    for url in gets:
        response = page.goto(url)
        answers[url] = response.status
        assert "alice wrote" not in page.content()
    # Bob's own token, from a form on his own page: a refusal must be the
    # 404 of "not yours", not a 403 of a missing token.
    page.goto(reverse("people:my_data"))
    token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    for url in posts:
        response = page.request.post(
            url,
            form={
                "body": "mine now",
                "reason": "mine now",
                "csrfmiddlewaretoken": token,
            },
            headers={"Referer": page.url},
        )
        answers[url] = response.status
    assert {url: 404 for url in gets + posts} == answers
    request.export.refresh_from_db()
    after = (
        Request.objects.filter(subject=alice).values_list("pk", "status").get(),
        RequestMessage.objects.count(),
        request.export.downloads,
    )
    assert after == before
