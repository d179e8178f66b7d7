"""Catalog files with Redis, HTTP and manual stores: what loads, and every
rule for their connections and datasets, named by file and path."""

import pytest

from apps.catalog.loader import CatalogError
from apps.catalog.models import Dataset, Store
from apps.catalog.services import catalog_load

pytestmark = pytest.mark.django_db


def _kinds(doc):
    doc["stores"] += [
        {
            "key": "presence_cache",
            "name": "Presence cache",
            "kind": "redis",
            "connection": {"url_env": "PRESENCE_REDIS_URL"},
        },
        {
            "key": "hr_paper",
            "name": "HR paper files",
            "kind": "manual",
            "owner": "HR Records team",
            "connection": {"assignee_email": "records@example.com"},
        },
    ]
    chat = next(s for s in doc["stores"] if s["key"] == "chat_service")
    chat["connection"]["timeout_seconds"] = 15
    doc["programs"][0]["datasets"] += [
        {
            "key": "presence",
            "store": "presence_cache",
            "name": "Presence",
            "location": "presence:{identifier}:*",
            "identifier": "email",
            "subject_field": "user",
            "timestamp_field": "seen_at",
            "erasure": "mask",
            "fields": [
                {"name": "user", "category": "user.contact.email", "mask": "hash"},
                {"name": "status", "category": "user.behavior", "mask": "redact"},
            ],
        },
        {
            "key": "chat_messages",
            "store": "chat_service",
            "name": "Chat messages",
            "location": "messages",
            "identifier": "email",
        },
        {
            "key": "personnel_folders",
            "store": "hr_paper",
            "name": "Personnel folders",
            "location": "Cabinet 3, room 2.14",
            "identifier": "employee_number",
        },
    ]


def _store(key):
    def get(doc):
        return next(s for s in doc["stores"] if s["key"] == key)

    return get


def _dataset(key):
    def get(doc):
        return next(
            d for p in doc["programs"] for d in p.get("datasets", []) if d["key"] == key
        )

    return get


def test_it_loads_every_new_kind(edited_catalog):
    catalog_load(path=edited_catalog(_kinds))

    stores = {s.key: s for s in Store.objects.all()}
    assert stores["presence_cache"].connection == {"url_env": "PRESENCE_REDIS_URL"}
    assert stores["chat_service"].connection == {
        "base_url_env": "CHAT_API_URL",
        "secret_env": "CHAT_API_SECRET",
        "timeout_seconds": 15,
    }
    assert stores["hr_paper"].connection == {"assignee_email": "records@example.com"}
    presence = Dataset.objects.get(key="presence")
    assert (presence.location, presence.erasure_strategy) == (
        "presence:{identifier}:*",
        "mask",
    )
    assert Dataset.objects.get(key="personnel_folders").erasure_strategy == "delete"


def _then(path_getter, name, value):
    def edit(doc):
        _kinds(doc)
        path_getter(doc)[name] = value

    return edit


CASES = [
    (
        _then(_store("presence_cache"), "connection", {"url": "redis://x"}),
        "edited.yaml: stores[4].connection.url: not allowed for a redis store; use "
        "one of url_env, url_setting",
    ),
    (
        _then(_store("presence_cache"), "connection", {}),
        "edited.yaml: stores[4].connection: a redis store needs exactly one of "
        "url_env, url_setting",
    ),
    (
        _then(_store("chat_service"), "connection", {"base_url_env": "CHAT_API_URL"}),
        "edited.yaml: stores[3].connection: a http store needs exactly one of "
        "secret_env, secret_setting",
    ),
    (
        _then(
            _store("chat_service"),
            "connection",
            {"base_url_env": "A", "base_url_setting": "B", "secret_env": "C"},
        ),
        "edited.yaml: stores[3].connection: a http store needs exactly one of "
        "base_url_env, base_url_setting",
    ),
    (
        _then(
            _store("chat_service"),
            "connection",
            {"base_url_env": "A", "secret_env": "C", "timeout_seconds": "10"},
        ),
        "edited.yaml: stores[3].connection.timeout_seconds: must be a number of "
        "seconds above 0 and at most 300",
    ),
    (
        _then(
            _store("chat_service"),
            "connection",
            {"base_url_env": "A", "secret_env": "C", "timeout_seconds": 0},
        ),
        "edited.yaml: stores[3].connection.timeout_seconds: must be a number",
    ),
    (
        _then(
            _store("chat_service"),
            "connection",
            {"base_url_env": "A", "secret": "hunter2"},
        ),
        "edited.yaml: stores[3].connection.secret: looks like a secret value",
    ),
    (
        _then(_store("hr_paper"), "connection", {"assignee_email": "records"}),
        "edited.yaml: stores[5].connection.assignee_email: must be an e-mail address",
    ),
    (
        lambda doc: (
            _kinds(doc),
            _store("hr_paper")(doc).update(owner="", connection={}),
        ),
        "edited.yaml: stores[5].owner: a manual store needs an owner or "
        "connection.assignee_email",
    ),
    (
        _then(_dataset("presence"), "location", "presence:*"),
        "edited.yaml: programs[0].datasets[2].location: must contain {identifier} "
        "exactly once",
    ),
    (
        _then(_dataset("presence"), "location", "presence:*:{identifier}"),
        "edited.yaml: programs[0].datasets[2].location: must have only literal "
        "text before {identifier}",
    ),
    (
        _then(_dataset("presence"), "location", "presence:{identifier}*"),
        "edited.yaml: programs[0].datasets[2].location: must follow {identifier} "
        "with a literal separator",
    ),
    (
        _then(_dataset("presence"), "subject_field", ""),
        "edited.yaml: programs[0].datasets[2].erasure: mask erasure needs a masked "
        "field for the subject field",
    ),
    (
        _then(_dataset("presence"), "erasure", "delete_files"),
        "edited.yaml: programs[0].datasets[2].erasure: delete_files is only for "
        "datasets in a files store",
    ),
]


@pytest.mark.parametrize(("edit", "expected"), CASES)
def test_it_reports_the_problem_and_loads_nothing(edited_catalog, edit, expected):
    with pytest.raises(CatalogError) as caught:
        catalog_load(path=edited_catalog(edit))

    assert any(e.startswith(expected) for e in caught.value.errors), caught.value.errors
    assert not Store.objects.exists()
