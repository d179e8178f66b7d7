"""The catalog admin: pages load for officers, and edits obey the loader's rules."""

import pytest
from django.urls import reverse

from apps.catalog.models import Dataset, Program, Store
from apps.catalog.services import catalog_load
from apps.people.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(valid_catalog):
    catalog_load(path=valid_catalog)


@pytest.fixture
def officer_client(client):
    officer = User.objects.create_superuser(
        "officer", "officer@example.com", "pw-123456"
    )
    client.force_login(officer)
    return client


def _pages():
    program = Program.objects.get(key="productivity_analytics")
    store = Store.objects.get(key="monitoring_db")
    dataset = Dataset.objects.get(key="keystrokes")
    return [
        reverse("admin:catalog_program_changelist"),
        reverse("admin:catalog_program_change", args=[program.pk]),
        reverse("admin:catalog_program_add"),
        reverse("admin:catalog_store_changelist"),
        reverse("admin:catalog_store_change", args=[store.pk]),
        reverse("admin:catalog_dataset_changelist"),
        reverse("admin:catalog_dataset_change", args=[dataset.pk]),
        reverse("admin:catalog_dataset_add"),
    ]


def test_it_shows_every_page_to_a_superuser(loaded, officer_client):
    for url in _pages():
        response = officer_client.get(url)
        assert response.status_code == 200, url
    changelist = officer_client.get(reverse("admin:catalog_program_changelist"))
    assert b"Productivity analytics" in changelist.content


def test_it_redirects_anonymous_users_to_the_login(loaded, client):
    for url in _pages():
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(
            (reverse("login"), reverse("admin:login"))
        )


def test_it_denies_users_who_are_not_staff(loaded, client, alice):
    client.force_login(alice.user)
    for url in _pages():
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(
            (reverse("login"), reverse("admin:login"))
        )
        assert b"Productivity" not in response.content


def _program_post(program: Program, **changes) -> dict:
    data = {
        "key": program.key,
        "name": program.name,
        "description": program.description,
        "purpose": program.purpose,
        "source": program.source,
        "legal_basis": program.legal_basis,
        "special_category_condition": "",
        "legitimate_interests_assessment": "",
        "objection_allowed": "on",
        "automated_decision_making": "",
        "data_subjects": "employee",
        "data_categories": "user.behavior.keystrokes\nuser.content.screen_capture",
        "data_uses": "employment",
        "recipients": "IT Security team",
        "access": "",
        "retention_days": "60",
        "leaver_retention_days": "",
        "international_transfers": "",
        "transfer_safeguards": "",
        "dpia_status": "approved",
        "dpia_reference": "",
        "security_measures": "",
        "datasets-TOTAL_FORMS": "0",
        "datasets-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


def test_it_saves_a_program_edited_as_lines(loaded, officer_client):
    program = Program.objects.get(key="productivity_analytics")
    url = reverse("admin:catalog_program_change", args=[program.pk])

    response = officer_client.post(url, _program_post(program))

    assert response.status_code == 302
    program.refresh_from_db()
    assert program.retention_days == 60
    assert program.recipients == ["IT Security team"]
    assert program.access == []
    assert program.data_categories == [
        "user.behavior.keystrokes",
        "user.content.screen_capture",
    ]


def test_it_refuses_unknown_taxonomy_keys(loaded, officer_client):
    program = Program.objects.get(key="productivity_analytics")
    url = reverse("admin:catalog_program_change", args=[program.pk])

    response = officer_client.post(
        url, _program_post(program, data_categories="user.behavior.mind_reading")
    )

    assert response.status_code == 200
    assert b"&#x27;user.behavior.mind_reading&#x27; is not a known data category" in (
        response.content
    )
    program.refresh_from_db()
    assert program.retention_days == 90


def test_it_refuses_a_secret_in_a_store_connection(loaded, officer_client):
    store = Store.objects.get(key="chat_service")
    url = reverse("admin:catalog_store_change", args=[store.pk])

    response = officer_client.post(
        url,
        {
            "key": store.key,
            "name": store.name,
            "kind": "http",
            "description": "",
            "connection": '{"api_token": "s3cr3t"}',
            "owner": "",
        },
    )

    assert response.status_code == 200
    assert b"looks like a secret value" in response.content
    store.refresh_from_db()
    assert "api_token" not in store.connection


def _dataset_post(dataset: Dataset, fields: list[dict], **changes) -> dict:
    data = {
        "program": dataset.program_id,
        "store": dataset.store_id,
        "key": dataset.key,
        "name": dataset.name,
        "description": "",
        "location": dataset.location,
        "primary_key": dataset.primary_key,
        "subject_field": dataset.subject_field,
        "identifier_kind": dataset.identifier_kind,
        "timestamp_field": dataset.timestamp_field,
        "file_pattern": dataset.file_pattern,
        "erasure_strategy": dataset.erasure_strategy,
        "derived_from": "",
        "fields-TOTAL_FORMS": str(len(fields)),
        "fields-INITIAL_FORMS": "0",
    }
    for index, field in enumerate(fields):
        for name, value in field.items():
            data[f"fields-{index}-{name}"] = value
    data.update(changes)
    return data


def test_it_applies_the_dataset_rules(loaded, officer_client):
    dataset = Dataset.objects.get(key="keystrokes")
    dataset.fields.all().delete()
    url = reverse("admin:catalog_dataset_change", args=[dataset.pk])
    fields = [
        {
            "name": "typed_text",
            "data_category": "user.behavior.keystrokes",
            "mask": "hash",
            "description": "",
        },
        {"name": "window", "data_category": "user.nope", "mask": "", "description": ""},
    ]

    response = officer_client.post(
        url, _dataset_post(dataset, fields, erasure_strategy="delete_files")
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "delete_files is only for datasets in a files store" in content
    assert "hash is only allowed on the subject field" in content
    assert "is not a known data category" in content
    dataset.refresh_from_db()
    assert dataset.erasure_strategy == "delete"
    assert dataset.fields.count() == 0


def test_it_saves_a_valid_dataset_with_its_fields(loaded, officer_client):
    dataset = Dataset.objects.get(key="keystrokes")
    dataset.fields.all().delete()
    url = reverse("admin:catalog_dataset_change", args=[dataset.pk])
    fields = [
        {
            "name": "device_serial",
            "data_category": "user.device.device_id",
            "mask": "hash",
            "description": "",
        },
    ]

    response = officer_client.post(
        url, _dataset_post(dataset, fields, erasure_strategy="mask")
    )

    assert response.status_code == 302
    dataset.refresh_from_db()
    assert dataset.erasure_strategy == "mask"
    assert list(dataset.fields.values_list("name", "mask")) == [
        ("device_serial", "hash")
    ]
