"""Every rule of the catalog file: the message names the file and the entry,
and nothing in the database changes."""

import pytest

from apps.catalog.loader import CatalogError
from apps.catalog.services import catalog_load
from tests.catalog.conftest import catalog_rows

pytestmark = pytest.mark.django_db


def _store(doc, key):
    return next(s for s in doc["stores"] if s["key"] == key)


def _dataset(doc, key):
    return next(
        d for p in doc["programs"] for d in p.get("datasets", []) if d["key"] == key
    )


def _set(getter, name, value):
    def edit(doc):
        getter(doc)[name] = value

    return edit


def _drop(getter, name):
    def edit(doc):
        del getter(doc)[name]

    return edit


def program0(doc):
    return doc["programs"][0]


def keystrokes(doc):
    return _dataset(doc, "keystrokes")


def captures(doc):
    return _dataset(doc, "screen_captures")


def corpus(doc):
    return _dataset(doc, "training_corpus")


def monitoring_db(doc):
    return _store(doc, "monitoring_db")


def chat(doc):
    return _store(doc, "chat_service")


def _duplicate_store(doc):
    doc["stores"].append(dict(doc["stores"][0]))


def _duplicate_program(doc):
    doc["programs"].append(dict(doc["programs"][1]))


def _duplicate_dataset(doc):
    doc["programs"][1]["datasets"].append(dict(keystrokes(doc)))


CASES = [
    # (edit, the expected error)
    (
        _set(program0, "colour", "blue"),
        "edited.yaml: programs[0].colour: unknown key; allowed: key, name,",
    ),
    (_set(lambda d: d, "extra", 1), "edited.yaml: extra: unknown key; allowed:"),
    (_drop(program0, "purpose"), "edited.yaml: programs[0].purpose: is required"),
    (
        _drop(keystrokes, "identifier"),
        "edited.yaml: programs[0].datasets[0].identifier: is required",
    ),
    (
        _drop(monitoring_db, "connection"),
        "edited.yaml: stores[0].connection: is required",
    ),
    (_drop(lambda d: d, "version"), "edited.yaml: version: is required"),
    (_set(lambda d: d, "version", 2), "edited.yaml: version: 2 is not a supported"),
    (
        _set(program0, "retention_days", "ninety"),
        "edited.yaml: programs[0].retention_days: must be a whole number, not text",
    ),
    (
        _set(program0, "retention_days", -1),
        "edited.yaml: programs[0].retention_days: must not be negative",
    ),
    (
        _set(program0, "objection_allowed", "yes please"),
        "edited.yaml: programs[0].objection_allowed: must be true or false",
    ),
    (
        _set(program0, "recipients", "IT"),
        "edited.yaml: programs[0].recipients: must be a list, not text",
    ),
    (
        _set(program0, "data_subjects", []),
        "edited.yaml: programs[0].data_subjects: must list at least one value",
    ),
    (_set(program0, "name", 42), "edited.yaml: programs[0].name: must be a string"),
    (
        _set(program0, "key", "Bad Key!"),
        "edited.yaml: programs[0].key: 'Bad Key!' is not a valid key",
    ),
    (
        _set(keystrokes, "key", "key with spaces"),
        "edited.yaml: programs[0].datasets[0].key: 'key with spaces' is not a valid",
    ),
    (
        _set(program0, "data_categories", ["user.behavior.keystrokes", "user.nope"]),
        "edited.yaml: programs[0].data_categories[1]: 'user.nope' is not a known "
        "data category",
    ),
    (
        _set(program0, "data_uses", ["employment", "spying"]),
        "edited.yaml: programs[0].data_uses[1]: 'spying' is not a known data use",
    ),
    (
        _set(program0, "data_subjects", ["robot"]),
        "edited.yaml: programs[0].data_subjects[0]: 'robot' is not a known data "
        "subject",
    ),
    (
        _set(program0, "legal_basis", "because"),
        "edited.yaml: programs[0].legal_basis: 'because' is not one of consent, "
        "contract, legal_obligation, vital_interests, public_task, "
        "legitimate_interests",
    ),
    (
        _set(program0, "special_category_condition", "whim"),
        "edited.yaml: programs[0].special_category_condition: 'whim' is not one of",
    ),
    (
        _set(program0, "dpia_status", "maybe"),
        "edited.yaml: programs[0].dpia_status: 'maybe' is not one of not_required,",
    ),
    (
        _set(keystrokes, "identifier", "badge"),
        "edited.yaml: programs[0].datasets[0].identifier: 'badge' is not one of email, "
        "employee_number, device_serial, os_username, chat_handle, ai_username",
    ),
    (
        _set(monitoring_db, "kind", "mainframe"),
        "edited.yaml: stores[0].kind: 'mainframe' is not one of sql, files,",
    ),
    (
        _set(keystrokes, "erasure", "shred"),
        "edited.yaml: programs[0].datasets[0].erasure: 'shred' is not one of delete,",
    ),
    (
        lambda d: keystrokes(d)["fields"][0].update(mask="scramble"),
        "edited.yaml: programs[0].datasets[0].fields[0].mask: 'scramble' is not one of",
    ),
    (
        lambda d: keystrokes(d)["fields"][1].update(category="user.nope"),
        "edited.yaml: programs[0].datasets[0].fields[1].category: 'user.nope' is not "
        "a known data category",
    ),
    (
        lambda d: keystrokes(d)["fields"].append(
            {"name": "typed_text", "category": "user.behavior.keystrokes"}
        ),
        "edited.yaml: programs[0].datasets[0].fields[2].name: 'typed_text' is listed",
    ),
    (
        lambda d: keystrokes(d)["fields"][0].pop("category"),
        "edited.yaml: programs[0].datasets[0].fields[0].category: is required",
    ),
    (
        _duplicate_store,
        "edited.yaml: stores[4].key: 'monitoring_db' is already the key of stores[0]",
    ),
    (
        _duplicate_program,
        "edited.yaml: programs[3].key: 'ai_training' is already the key of programs[1]",
    ),
    (
        _duplicate_dataset,
        "edited.yaml: programs[1].datasets[1].key: 'keystrokes' is "
        "already the key of programs[0].datasets[0]",
    ),
    (
        _set(keystrokes, "store", "nowhere"),
        "edited.yaml: programs[0].datasets[0].store: 'nowhere' is not a store of this",
    ),
    (
        _set(corpus, "derived_from", ["keystrokes", "ghost"]),
        "edited.yaml: programs[1].datasets[0].derived_from[1]: 'ghost' is not a "
        "dataset of this catalog",
    ),
    (
        _drop(keystrokes, "subject_field"),
        "edited.yaml: programs[0].datasets[0].subject_field: is required for a "
        "dataset in a SQL store",
    ),
    (
        _set(captures, "location", "captures/all"),
        "edited.yaml: programs[0].datasets[1].location: a files dataset's location "
        "must contain {identifier}",
    ),
    (
        _drop(captures, "file_pattern"),
        "edited.yaml: programs[0].datasets[1].file_pattern: is required for a "
        "dataset in a files store",
    ),
    (
        _set(keystrokes, "erasure", "delete_files"),
        "edited.yaml: programs[0].datasets[0].erasure: delete_files is only for "
        "datasets in a files store",
    ),
    (
        _set(captures, "erasure", "delete"),
        "edited.yaml: programs[0].datasets[1].erasure: 'delete' cannot erase files",
    ),
    (
        _set(captures, "erasure", "mask"),
        "edited.yaml: programs[0].datasets[1].erasure: 'mask' cannot erase files",
    ),
    (
        lambda d: keystrokes(d)["fields"][0].update(mask="hash"),
        "edited.yaml: programs[0].datasets[0].fields[0].mask: hash is only allowed on "
        "the subject field ('device_serial')",
    ),
    (
        lambda d: corpus(d)["fields"][0].update(mask=None),
        "edited.yaml: programs[1].datasets[0].erasure: mask erasure needs a masked "
        "field for the subject field ('author_hash')",
    ),
    (
        _set(
            monitoring_db,
            "connection",
            {"database_alias": "telemetry", "url_env": "DB_URL"},
        ),
        "edited.yaml: stores[0].connection: a sql store needs exactly one of "
        "database_alias, url_env, url_setting",
    ),
    (
        _set(monitoring_db, "connection", {}),
        "edited.yaml: stores[0].connection: a sql store needs exactly one of",
    ),
    (
        _set(monitoring_db, "connection", {"url": "postgres://u:hunter2@db/x"}),
        "edited.yaml: stores[0].connection.url: not allowed for a sql store; use one "
        "of database_alias, url_env, url_setting",
    ),
    (
        _set(monitoring_db, "connection", {"url_env": "postgres://u:hunter2@db/x"}),
        "edited.yaml: stores[0].connection.url_env: must name an environment "
        "variable or setting",
    ),
    (
        lambda d: _store(d, "screen_capture_files").update(
            connection={"database_alias": "telemetry"}
        ),
        "edited.yaml: stores[1].connection.database_alias: not allowed for a files "
        "store; use one of root_setting, root_env",
    ),
    (
        _set(chat, "connection", {"api_token": "s3cr3t"}),
        "edited.yaml: stores[3].connection.api_token: looks like a secret value",
    ),
    (
        _set(chat, "connection", {"password": "s3cr3t"}),
        "edited.yaml: stores[3].connection.password: looks like a secret value",
    ),
    (
        _set(chat, "connection", {"region": "eu"}),
        "edited.yaml: stores[3].connection.region: must end in _env or _setting",
    ),
    (
        _set(lambda d: d, "stores", {"monitoring_db": {}}),
        "edited.yaml: stores: must be a list, not a mapping",
    ),
    (
        lambda d: d["programs"].append("just a string"),
        "edited.yaml: programs[3]: must be a mapping, not text",
    ),
]


@pytest.mark.parametrize(("edit", "expected"), CASES)
def test_it_reports_the_problem_and_changes_nothing(
    valid_catalog, edited_catalog, edit, expected
):
    catalog_load(path=valid_catalog)
    before = catalog_rows()

    def rename_and_break(doc):
        # A valid change too: had anything been applied, this would show.
        doc["stores"][0]["name"] = "Renamed"
        doc["programs"][0]["retention_days"] = 7
        edit(doc)

    with pytest.raises(CatalogError) as caught:
        catalog_load(path=edited_catalog(rename_and_break))

    assert any(e.startswith(expected) for e in caught.value.errors), caught.value.errors
    assert catalog_rows() == before


def test_it_reports_every_problem_at_once(edited_catalog):
    def edit(doc):
        program0(doc)["legal_basis"] = "because"
        keystrokes(doc)["identifier"] = "badge"
        monitoring_db(doc)["kind"] = "mainframe"

    with pytest.raises(CatalogError) as caught:
        catalog_load(path=edited_catalog(edit))

    assert len(caught.value.errors) == 3, caught.value.errors
    assert catalog_rows() == {"Store": [], "Program": [], "Dataset": [], "Field": []}


def test_it_reports_yaml_syntax_errors_with_the_line(catalog_dir):
    path = catalog_dir / "broken.yaml"
    path.write_text("version: 1\nstores:\n  - key: a\n    name: [unclosed\n")

    with pytest.raises(CatalogError) as caught:
        catalog_load(path=path)

    [error] = caught.value.errors
    assert error.startswith("broken.yaml: line 5: ")


def test_it_refuses_a_key_given_twice_in_a_mapping(catalog_dir):
    path = catalog_dir / "twice.yaml"
    path.write_text("version: 1\nstores: []\nprograms: []\nstores: []\n")

    with pytest.raises(CatalogError) as caught:
        catalog_load(path=path)

    assert caught.value.errors == [
        "twice.yaml: line 4: key 'stores' is given twice in this mapping"
    ]


def test_it_reports_a_missing_file(catalog_dir):
    with pytest.raises(CatalogError) as caught:
        catalog_load(path=catalog_dir / "absent.yaml")

    assert caught.value.errors == [
        "absent.yaml: cannot be read: No such file or directory"
    ]
