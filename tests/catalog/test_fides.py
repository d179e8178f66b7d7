"""Fides dataset files: problems name the Fides file and the path inside it."""

import pytest
import yaml

from apps.catalog.loader import CatalogError
from apps.catalog.services import catalog_load
from tests.catalog.conftest import catalog_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def edit_fides(catalog_dir):
    def write(edit):
        path = catalog_dir / "fides" / "hr.yaml"
        document = yaml.safe_load(path.read_text())
        edit(document)
        path.write_text(yaml.safe_dump(document, sort_keys=False))

    return write


def _reviews(doc):
    return doc["dataset"][0]["collections"][0]


CASES = [
    (
        lambda d: d["dataset"][0].update(fides_key="not a key"),
        "fides/hr.yaml: dataset[0].fides_key: Value error, FidesKeys must only contain",
    ),
    (
        lambda d: _reviews(d)["fields"][2].update(data_categories=["user.nope"]),
        "fides/hr.yaml: dataset[0].collections[0].fields[2].data_categories[0]: "
        "'user.nope' is not a known data category",
    ),
    (
        lambda d: _reviews(d)["fields"][1]["fides_meta"].update(
            identity="phone_number"
        ),
        "fides/hr.yaml: dataset[0].collections[0].fields[1].fides_meta.identity: "
        "'phone_number' is not supported",
    ),
    (
        lambda d: _reviews(d)["fields"][1]["fides_meta"].update(identity="badge_id"),
        "fides/hr.yaml: dataset[0].collections[0].fields[1].fides_meta.identity: "
        "'badge_id' is not one of email, employee_number",
    ),
    (
        lambda d: _reviews(d)["fields"][1].pop("fides_meta"),
        "fides/hr.yaml: dataset[0].collections[0].fields: no field has "
        "fides_meta.identity",
    ),
    (
        lambda d: _reviews(d)["fields"][2].update(fides_meta={"identity": "email"}),
        "fides/hr.yaml: dataset[0].collections[0].fields[2].fides_meta.identity: only "
        "one field",
    ),
    (lambda d: d.update(systems=[]), "fides/hr.yaml: systems: unknown key"),
    (lambda d: d.pop("dataset"), "fides/hr.yaml: dataset: a Fides dataset file has"),
]


@pytest.mark.parametrize(("edit", "expected"), CASES)
def test_it_reports_fides_problems_and_changes_nothing(
    valid_catalog, edit_fides, edit, expected
):
    catalog_load(path=valid_catalog)
    before = catalog_rows()
    edit_fides(edit)

    with pytest.raises(CatalogError) as caught:
        catalog_load(path=valid_catalog)

    assert any(e.startswith(expected) for e in caught.value.errors), caught.value.errors
    assert catalog_rows() == before


def test_it_reports_a_missing_fides_file(valid_catalog, catalog_dir):
    (catalog_dir / "fides" / "hr.yaml").unlink()

    with pytest.raises(CatalogError) as caught:
        catalog_load(path=valid_catalog)

    assert caught.value.errors == [
        "fides/hr.yaml: cannot be read: No such file or directory"
    ]
    assert catalog_rows()["Dataset"] == []


def test_it_refuses_an_unknown_store_for_fides(valid_catalog, catalog_dir):
    text = valid_catalog.read_text().replace("store: hr_db}", "store: nowhere}")
    valid_catalog.write_text(text)

    with pytest.raises(CatalogError) as caught:
        catalog_load(path=valid_catalog)

    assert caught.value.errors == [
        "valid.yaml: programs[2].fides_datasets[0].store: 'nowhere' is not a store "
        "of this catalog"
    ]


def test_it_refuses_a_fides_key_clash_with_the_catalog(valid_catalog, edit_fides):
    edit_fides(lambda d: d["dataset"][0].update(fides_key="key"))
    text = valid_catalog.read_text().replace("key: keystrokes\n", "key: key_badges\n")
    valid_catalog.write_text(text.replace("derived_from: [keystrokes]", ""))

    with pytest.raises(CatalogError) as caught:
        catalog_load(path=valid_catalog)

    assert caught.value.errors == [
        "fides/hr.yaml: dataset[0].collections[1].name: 'key_badges' is already the "
        "key of programs[0].datasets[0]"
    ]
