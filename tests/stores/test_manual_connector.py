"""ManualConnector: every data step becomes a task for the person named."""

import datetime as dt

import pytest

from apps.catalog.models import Dataset, Field, Program, Store
from apps.stores.base import ManualStep, StoreError, StoreMisconfigured
from apps.stores.manual import ManualConnector

pytestmark = pytest.mark.django_db

IDS = ["alice@example.com"]


@pytest.fixture
def paper_store(db) -> Store:
    return Store.objects.create(
        key="hr-paper",
        name="HR paper files",
        kind="manual",
        owner="HR Records team",
        connection={"assignee_email": "records@example.com"},
    )


@pytest.fixture
def folders(paper_store) -> Dataset:
    program = Program.objects.create(
        key="hr",
        name="HR records",
        purpose="Run employment",
        legal_basis="contract",
        retention_days=2190,
    )
    dataset = Dataset.objects.create(
        store=paper_store,
        program=program,
        key="personnel-folders",
        name="Personnel folders",
        location="Cabinet 3, room 2.14",
        identifier_kind="email",
    )
    Field.objects.create(dataset=dataset, name="notes", data_category="user.workplace")
    return dataset


STEPS = [
    ("count", lambda c, d: c.summarize(d, IDS)),
    ("export", lambda c, d: c.page(d, IDS, offset=0, limit=10)),
    ("export", lambda c, d: list(c.stream(d, IDS))),
    ("erase", lambda c, d: c.erase(d, IDS)),
    ("verify", lambda c, d: c.verify(d, IDS)),
    ("erase_older_than", lambda c, d: c.erase_older_than(d, dt.datetime.now(dt.UTC))),
    ("rectify", lambda c, d: c.rectify(d, IDS, "folder-1", {"notes": "fixed"})),
]


@pytest.mark.parametrize(("action", "step"), STEPS)
def test_every_data_step_is_a_task_for_the_assignee(paper_store, folders, action, step):
    with pytest.raises(ManualStep) as caught:
        step(ManualConnector(paper_store), folders)

    assert caught.value.assignee == "records@example.com"
    assert caught.value.action == action
    assert isinstance(caught.value, StoreError)  # Callers that know only StoreError
    assert "personnel-folders" in str(caught.value)
    assert "records@example.com must" in str(caught.value)


def test_without_an_assignee_the_owner_answers(paper_store, folders):
    paper_store.connection = {}

    with pytest.raises(ManualStep) as caught:
        ManualConnector(paper_store).erase(folders, IDS)

    assert caught.value.assignee == "HR Records team"


def test_nobody_to_answer_is_misconfigured(paper_store, folders):
    paper_store.connection, paper_store.owner = {}, ""

    with pytest.raises(StoreMisconfigured, match="needs an owner"):
        ManualConnector(paper_store).check()
    with pytest.raises(StoreMisconfigured, match="needs an owner"):
        ManualConnector(paper_store).erase(folders, IDS)


def test_a_bad_assignee_address_is_misconfigured(paper_store):
    paper_store.connection = {"assignee_email": "records at example"}

    with pytest.raises(StoreMisconfigured, match="not an e-mail address"):
        ManualConnector(paper_store).check()


def test_the_check_succeeds_and_nothing_is_listed(paper_store):
    connector = ManualConnector(paper_store)

    assert connector.check() is None
    assert connector.list_locations() == []


def test_a_task_never_asks_for_an_unlawful_correction(paper_store, folders):
    with pytest.raises(ValueError, match="not a field the catalog lists"):
        ManualConnector(paper_store).rectify(folders, IDS, "folder-1", {"salary": 1})
