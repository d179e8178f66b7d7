"""Records of processing: every Art. 30(1) field, in every format, parsed
back and compared with the catalog; incomplete entries marked, never blank."""

import pytest
from django.urls import reverse

from apps.audit.models import AuditRecord
from apps.catalog.models import Program
from apps.reports.models import Organisation
from apps.reports.ropa import ARTICLE_30_KEYS, COLUMNS, INCOMPLETE
from tests.reports.helpers import (
    body,
    parse_csv,
    parse_json,
    parse_xlsx,
    pdf_pages,
    pdf_sections,
    squash,
)

pytestmark = pytest.mark.django_db
LABELS = {c.key: str(c.label) for c in COLUMNS}


def expected(program: Program) -> dict[str, str]:
    """What Art. 30(1)(a)-(g) should say for `program`, from the catalog and
    the organisation settings of the `organisation` fixture."""
    transfers = program.international_transfers
    retention = f"{program.retention_days} days after collection"
    if program.leaver_retention_days is not None:
        retention += f"; {program.leaver_retention_days} days after the employee leaves"
    return {
        "controller": "Acme Widgets Ltd, 1 High Street, London; privacy@acme.test",
        "joint_controllers": "None",
        "representative": "Acme EU BV, Amsterdam",
        "dpo": "Dana Ode, dpo@acme.test",
        "purposes": program.purpose,
        "data_subjects": "; ".join(program.data_subjects),
        "data_categories": "; ".join(program.data_categories),
        "recipients": "; ".join(program.recipients) or INCOMPLETE,
        "third_countries": transfers or "None (no transfers)",
        "transfer_safeguards": (program.transfer_safeguards or INCOMPLETE)
        if transfers
        else "Not applicable",
        "erasure_time_limits": retention,
        "security_measures": program.security_measures or INCOMPLETE,
    }


def test_it_covers_every_article_30_point():
    points = {c.article for c in COLUMNS if c.key in ARTICLE_30_KEYS}
    assert points == {f"30(1)({p})" for p in "abcdefg"}


def _export(client, user, fmt: str) -> bytes:
    client.force_login(user)
    response = client.get(reverse("reports:ropa_export"), {"format": fmt})
    assert response.status_code == 200
    return body(response)


def _by_key(rows: list[dict], key_field: str) -> dict[str, dict]:
    return {row[key_field]: row for row in rows}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_it_writes_every_field_in_tables(client, users, programs, fmt):
    data = _export(client, users["regulator"], fmt)
    rows = parse_csv(data) if fmt == "csv" else parse_xlsx(data)
    found = _by_key(rows, LABELS["program_key"])
    assert sorted(found) == sorted(p.key for p in programs)
    for program in programs:
        row = found[program.key]
        for key, value in expected(program).items():
            assert row[LABELS[key]] == value, (program.key, key)


def test_it_writes_every_field_in_json(client, users, programs):
    document = parse_json(_export(client, users["auditor"], "json"))
    found = _by_key(document["records"], "program_key")
    for program in programs:
        for key, value in expected(program).items():
            assert found[program.key][key] == value, (program.key, key)
    assert document["incomplete"] == ["chat_archive"]


def test_it_writes_every_field_in_the_pdf(client, users, programs):
    data = _export(client, users["dpo"], "pdf")
    pages = pdf_pages(data)
    assert "Records of processing activities" in pages[0]
    assert "Contents" in pages[1]
    names = [p.name for p in sorted(programs, key=lambda p: p.name)]
    sections = pdf_sections(data, names)
    for program in programs:
        text = sections[program.name]
        for key, value in expected(program).items():
            assert squash(f"{LABELS[key]} [") in text, (program.key, key)
            assert squash(value) in text, (program.key, key, value)


def test_it_marks_incomplete_entries(client, users, programs):
    rows = _by_key(parse_csv(_export(client, users["regulator"], "csv")), "Program key")
    assert rows["chat_archive"]["Complete"] == "No"
    assert rows["chat_archive"]["Missing fields"] == "recipients; security_measures"
    assert rows["endpoint_monitoring"]["Complete"] == "Yes"
    assert rows["endpoint_monitoring"]["Missing fields"] == "None"
    text = pdf_sections(
        _export(client, users["regulator"], "pdf"),
        sorted(p.name for p in programs),
    )["Chat Archive"]
    assert "Incomplete: recipients, security_measures" in text


def test_it_names_a_missing_controller(client, users, programs, settings):
    settings.REPORTS_CONTROLLER_NAME = settings.REPORTS_CONTROLLER_CONTACT = ""
    rows = parse_csv(_export(client, users["regulator"], "csv"))
    assert {row[LABELS["controller"]] for row in rows} == {INCOMPLETE}
    assert all("controller" in row["Missing fields"] for row in rows)


def test_the_organisation_record_wins_over_settings(client, users, programs):
    Organisation.objects.create(
        controller_name="Record Ltd",
        controller_contact="records@example.test",
        dpo_name="Rae",
        dpo_contact="rae@example.test",
    )
    rows = parse_csv(_export(client, users["regulator"], "csv"))
    assert {row[LABELS["controller"]] for row in rows} == {
        "Record Ltd, records@example.test"
    }
    assert {row[LABELS["dpo"]] for row in rows} == {"Rae, rae@example.test"}
    assert {row[LABELS["representative"]] for row in rows} == {"Not applicable"}


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx", "pdf"])
def test_an_empty_catalog_exports(client, users, organisation, fmt):
    data = _export(client, users["regulator"], fmt)
    if fmt == "csv":
        assert parse_csv(data) == []
    elif fmt == "json":
        assert parse_json(data)["records"] == []
    elif fmt == "xlsx":
        assert parse_xlsx(data) == []
    else:
        assert "The catalog holds no program." in " ".join(pdf_pages(data))


def test_every_export_is_audited(client, users, programs):
    for fmt in ("csv", "pdf"):
        _export(client, users["regulator"], fmt)
    records = AuditRecord.objects.filter(dataset_key="reports.records_of_processing")
    assert sorted(r.detail["format"] for r in records) == ["csv", "pdf"]
    assert {r.actor_id for r in records} == {users["regulator"].pk}
    assert {r.detail["rows"] for r in records} == {3}


def test_the_page_lists_incomplete_fields(client, users, programs):
    client.force_login(users["privacy_officer"])
    response = client.get(reverse("reports:ropa"))
    assert response.status_code == 200
    rows = {row.program.key: row for row in response.context["ropa"].rows}
    assert rows["chat_archive"].missing == ["recipients", "security_measures"]
    assert response.content.decode().count('class="missing"') == 2


def test_others_get_404_and_an_unknown_format_too(client, users, programs):
    for role in ("employee", "hr", "manager", "security_investigator"):
        client.force_login(users[role])
        assert client.get(reverse("reports:ropa")).status_code == 404
        assert client.get(reverse("reports:ropa_export")).status_code == 404
    client.force_login(users["regulator"])
    url = reverse("reports:ropa_export")
    assert client.get(url, {"format": "docx"}).status_code == 404
    assert client.post(url).status_code == 405
    client.logout()
    assert client.get(url).status_code == 302
