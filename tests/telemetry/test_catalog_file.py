"""catalog/demo.yaml describes every table, column and file of the demo system."""

from pathlib import Path

import yaml
from django.conf import settings

from apps.telemetry.seeding.rows import CORPUS_SHARE
from apps.telemetry.seeding.service import DATA_MODELS


def datasets() -> dict[str, dict]:
    demo = Path(settings.BASE_DIR) / "catalog" / "demo.yaml"
    catalog = yaml.safe_load(demo.read_text())
    return {
        dataset["location"]: dataset
        for program in catalog["programs"]
        for dataset in program["datasets"]
    }


def test_every_table_is_a_dataset_listing_every_column():
    by_location = datasets()
    for model in DATA_MODELS:
        dataset = by_location[model._meta.db_table]
        columns = [f.column for f in model._meta.concrete_fields if f.column != "id"]
        assert [field["name"] for field in dataset["fields"]] == columns
        assert all(field["category"] for field in dataset["fields"])
        assert dataset["subject_field"] in columns
        assert dataset["timestamp_field"] in columns


def test_the_capture_files_are_a_dataset():
    files = datasets()["captures/{identifier}"]

    assert files["store"] == "screen_capture_files"
    assert files["identifier"] == "device_serial"
    assert files["erasure"] == "delete_files"


def test_the_corpus_is_derived_from_every_dataset_it_copies():
    by_location = datasets()
    keys = {dataset["key"] for dataset in by_location.values()}
    corpus = by_location["telemetry_ai_training_corpus"]

    assert set(corpus["derived_from"]) == set(CORPUS_SHARE)
    assert set(CORPUS_SHARE) <= keys
