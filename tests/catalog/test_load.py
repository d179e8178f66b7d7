"""Loading a valid catalog: what it creates, and that loading again is a no-op."""

import pytest

from apps.catalog.models import Dataset, Field, Program, Store
from apps.catalog.services import catalog_load
from tests.catalog.conftest import catalog_rows

pytestmark = pytest.mark.django_db


def test_it_creates_every_entry(valid_catalog):
    summary = catalog_load(path=valid_catalog)

    assert (summary.stores.created, summary.programs.created) == (4, 3)
    assert summary.datasets.created == 5
    assert summary.fields.created == 9
    assert set(Store.objects.values_list("key", "kind")) == {
        ("monitoring_db", "sql"),
        ("screen_capture_files", "files"),
        ("hr_db", "sql"),
        ("chat_service", "http"),
    }
    program = Program.objects.get(key="productivity_analytics")
    assert program.legal_basis == "legitimate_interests"
    assert program.data_categories == [
        "user.behavior.keystrokes",
        "user.content.screen_capture",
    ]
    assert program.leaver_retention_days == 30
    assert program.objection_allowed is True
    keystrokes = Dataset.objects.get(key="keystrokes")
    assert keystrokes.identifier_kind == "device_serial"
    assert keystrokes.erasure_strategy == "delete"
    assert keystrokes.store.key == "monitoring_db"
    assert list(keystrokes.fields.values_list("name", "data_category", "mask")) == [
        ("typed_text", "user.behavior.keystrokes", "redact"),
        ("device_serial", "user.device.device_id", ""),
    ]
    # The default erasure of a files dataset deletes its files.
    assert Dataset.objects.get(key="screen_captures").erasure_strategy == (
        "delete_files"
    )
    corpus = Dataset.objects.get(key="training_corpus")
    assert corpus.derived_from == ["keystrokes"]
    assert corpus.program.key == "ai_training"


def test_it_imports_fides_collections_as_datasets(valid_catalog):
    catalog_load(path=valid_catalog)

    reviews = Dataset.objects.get(key="hr_performance_reviews")
    assert reviews.program.key == "hr_records"
    assert reviews.store.key == "hr_db"
    assert reviews.location == "performance_reviews"
    assert reviews.subject_field == "employee_email"
    assert reviews.identifier_kind == "email"
    assert reviews.primary_key == "review_id"
    assert reviews.timestamp_field == "reviewed_at"
    # File order; the uncategorised reviewed_at column holds no personal data.
    assert list(reviews.fields.values_list("name", "data_category")) == [
        ("review_id", "system.operations"),
        ("employee_email", "user.contact.email"),
        ("notes", "user.workplace.performance_notes"),
    ]
    badges = Dataset.objects.get(key="hr_badges")
    assert badges.identifier_kind == "employee_number"
    assert badges.primary_key == "id"
    assert badges.timestamp_field == ""


def test_it_changes_nothing_when_loaded_twice(valid_catalog):
    catalog_load(path=valid_catalog)
    before = catalog_rows()

    summary = catalog_load(path=valid_catalog)

    assert catalog_rows() == before
    assert not summary.changed
    assert (summary.stores.unchanged, summary.programs.unchanged) == (4, 3)
    assert (summary.datasets.unchanged, summary.fields.unchanged) == (5, 9)


def test_it_updates_rows_and_replaces_fields(valid_catalog, edited_catalog):
    catalog_load(path=valid_catalog)
    keystrokes_id = Dataset.objects.get(key="keystrokes").pk

    def edit(doc):
        doc["programs"][0]["name"] = "Productivity (renamed)"
        doc["programs"][0]["datasets"][0]["fields"] = [
            {"name": "typed_text", "category": "user.behavior.keystrokes"},
            {"name": "window_title", "category": "user.behavior.app_usage"},
        ]

    summary = catalog_load(path=edited_catalog(edit))

    assert Program.objects.get(key="productivity_analytics").name == (
        "Productivity (renamed)"
    )
    assert (summary.programs.updated, summary.programs.unchanged) == (1, 2)
    # Only its fields differ, and that makes the dataset updated, in place.
    assert (summary.datasets.updated, summary.datasets.unchanged) == (1, 4)
    assert (summary.fields.created, summary.fields.updated) == (1, 1)
    assert summary.fields.deleted == 1
    dataset = Dataset.objects.get(key="keystrokes")
    assert dataset.pk == keystrokes_id
    assert sorted(dataset.fields.values_list("name", "mask")) == [
        ("typed_text", ""),
        ("window_title", ""),
    ]
    assert Field.objects.filter(name="device_serial", dataset=dataset).count() == 0


def test_it_keeps_and_reports_what_the_file_no_longer_has(
    valid_catalog, edited_catalog
):
    catalog_load(path=valid_catalog)

    def edit(doc):
        doc["programs"] = [p for p in doc["programs"] if p["key"] != "ai_training"]
        doc["stores"] = [s for s in doc["stores"] if s["key"] != "chat_service"]

    summary = catalog_load(path=edited_catalog(edit))

    assert summary.programs.not_in_file == ["ai_training"]
    assert summary.datasets.not_in_file == ["training_corpus"]
    assert summary.stores.not_in_file == ["chat_service"]
    assert Program.objects.filter(key="ai_training").exists()
    assert Dataset.objects.filter(key="training_corpus").exists()
    assert Store.objects.filter(key="chat_service").exists()
    assert any("not in the file" in line for line in summary.lines())


def test_it_prunes_what_the_file_no_longer_has(valid_catalog, edited_catalog):
    catalog_load(path=valid_catalog)

    def edit(doc):
        doc["programs"] = [p for p in doc["programs"] if p["key"] != "ai_training"]
        doc["stores"] = [s for s in doc["stores"] if s["key"] != "chat_service"]

    summary = catalog_load(path=edited_catalog(edit), prune=True)

    assert not Program.objects.filter(key="ai_training").exists()
    assert not Dataset.objects.filter(key="training_corpus").exists()
    assert not Store.objects.filter(key="chat_service").exists()
    assert not Field.objects.filter(dataset__key="training_corpus").exists()
    assert (summary.programs.deleted, summary.datasets.deleted) == (1, 1)
    assert summary.stores.deleted == 1
    assert Dataset.objects.count() == 4
