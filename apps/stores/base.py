"""The connector interface: one shape for every kind of monitoring store.

A connector is built for one catalog Store and answers for a Dataset of that
store and a subject given as the list of identifier values the dataset keys
on (apps.people.selectors.subject_identifiers resolves them). Connectors
never decide who may do what: callers go through apps.governance.gateway.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from apps.catalog.models import Dataset, Store


class StoreError(Exception):
    """A store could not answer. The message names the store and says why."""

    def __init__(self, store: Store, reason: str) -> None:
        self.store_key = store.key
        self.store_name = store.name
        self.reason = reason
        super().__init__(f"Store '{store.name}' ({store.key}): {reason}")


class StoreUnavailable(StoreError):
    """The store is down or did not answer in time: worth retrying later."""


class StoreMisconfigured(StoreError):
    """The catalog's settings for the store are wrong: retrying will not help."""


class ManualStep(StoreError):
    """The store has no API: a person must carry out this step by hand.

    `assignee` names who (the store's owner, or its connection's
    assignee_email) and `action` what ("count", "export", "erase", ...), so
    that the rights engine can turn the job into a task for that person.
    """

    def __init__(self, store: Store, reason: str, *, assignee: str, action: str):
        self.assignee = assignee
        self.action = action
        super().__init__(store, reason)


@dataclass(frozen=True)
class DatasetSummary:
    """How much a dataset holds about one subject."""

    count: int
    oldest: dt.datetime | None
    newest: dt.datetime | None


@dataclass(frozen=True)
class Record:
    """One record about the subject.

    `key` identifies the record within its dataset (a primary key, or a file's
    POSIX path relative to the store's root). `file` is set for records that
    are files (screen captures), so that exports can include the original.
    """

    key: str
    timestamp: dt.datetime | None
    values: dict[str, Any]
    file: Path | None = None


def iso_utc(value: dt.datetime) -> str:
    """A datetime as exports write it: UTC, ISO 8601, a fraction of a second
    only when there is one and without trailing zeros, "+00:00" (what
    PostgreSQL's own text of the UTC time gives, so that files read in bulk
    and record by record agree). Naive values are taken as UTC."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    text = value.isoformat()
    if "." in text:
        text = text.rstrip("0")
    return text + "+00:00"


@dataclass(frozen=True)
class RecordBlock:
    """Many records of one dataset at once, for exports: no object per record.

    Each row is a tuple of one value per name in `columns`, already in a form
    JSON and CSV hold (text, numbers, booleans, None; iso_utc() text for
    datetimes). Values at the positions in `nested` may be lists or dicts.
    A record's key is the text of the value at `key_position`; its timestamp
    is the value at `timestamp_position` (None: the dataset has none) passed
    through `timestamp_text` when that is set (a column of epoch seconds).
    `simple_values`: every value is text, an integer, a boolean or None (no
    floats, nothing nested), which lets the CSV be made from JSON arrays.
    Connectors that can read in bulk offer stream_blocks(); the others are
    read record by record.
    """

    columns: list[str]
    rows: list[tuple]
    nested: tuple[int, ...] = ()
    key_position: int = 0
    timestamp_position: int | None = None
    timestamp_text: Callable[[Any], str | None] | None = None
    simple_values: bool = False


@dataclass(frozen=True)
class TimeWindow:
    """Records timestamped in [start, end); None leaves that side open.

    A record with no timestamp (or a dataset with no timestamp field) is in
    no window: reading under a window never shows what cannot be dated.
    """

    start: dt.datetime | None = None
    end: dt.datetime | None = None

    def __post_init__(self) -> None:
        for value in (self.start, self.end):
            if value is not None and value.tzinfo is None:
                raise ValueError("a time window needs aware datetimes")
        if self.start and self.end and self.end <= self.start:
            raise ValueError("a time window must end after it starts")

    def contains(self, when: dt.datetime | None) -> bool:
        if when is None:
            return False
        if self.start is not None and when < self.start:
            return False
        return self.end is None or when < self.end


class Connector(abc.ABC):
    """Count, stream, page, erase and verify one subject's data in one store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @abc.abstractmethod
    def check(self) -> None:
        """Raise StoreUnavailable or StoreMisconfigured unless the store answers."""

    @abc.abstractmethod
    def summarize(
        self,
        dataset: Dataset,
        identifiers: Sequence[str],
        *,
        window: TimeWindow | None = None,
    ) -> DatasetSummary:
        """Count the subject's records (only those in `window` when given),
        with the oldest and newest timestamps."""

    @abc.abstractmethod
    def page(
        self,
        dataset: Dataset,
        identifiers: Sequence[str],
        *,
        offset: int,
        limit: int,
        window: TimeWindow | None = None,
    ) -> list[Record]:
        """One page of the subject's records (only those in `window` when
        given), newest first."""

    @abc.abstractmethod
    def stream(
        self, dataset: Dataset, identifiers: Sequence[str], *, batch_size: int = 5000
    ) -> Iterator[Record]:
        """Every record of the subject, in constant memory (server-side cursor)."""

    @abc.abstractmethod
    def erase(
        self,
        dataset: Dataset,
        identifiers: Sequence[str],
        *,
        batch_size: int = 5000,
        found: int | None = None,
    ) -> int:
        """Erase the subject's records by the dataset's strategy, in batches.

        Returns how many records were deleted or masked. Idempotent: running it
        again after a partial run finishes the job and harms nothing else.
        `found`, when given, is how many records count() found just before:
        a connector may use it to skip work (one batch when all fit).
        """

    @abc.abstractmethod
    def verify(self, dataset: Dataset, identifiers: Sequence[str]) -> int:
        """How many identifying records of the subject remain (0 after erasure)."""

    def erase_verified(
        self,
        dataset: Dataset,
        identifiers: Sequence[str],
        *,
        batch_size: int = 5000,
        found: int | None = None,
    ) -> tuple[int, int]:
        """erase(), then verify(): (records erased, records that remain).

        A connector may count what remains inside its last batch's
        transaction instead, as the SQL connector does: the count then
        sees the store as the commit leaves it, at less cost."""
        erased = self.erase(dataset, identifiers, batch_size=batch_size, found=found)
        return erased, self.verify(dataset, identifiers)

    def count(self, dataset: Dataset, identifiers: Sequence[str]) -> int:
        """How many records of the subject the dataset holds (a connector
        may answer this more cheaply than summarize(), without the dates)."""
        return self.summarize(dataset, identifiers).count

    @abc.abstractmethod
    def erase_older_than(
        self,
        dataset: Dataset,
        cutoff: dt.datetime,
        *,
        batch_size: int = 5000,
        exclude_identifiers: Sequence[str] = (),
    ) -> int:
        """Delete every record timestamped before `cutoff` (retention), in
        batches, except records of the excluded identifiers (legal holds).

        Records whose age is unknown are kept. Returns how many were deleted;
        idempotent like erase().
        """

    @abc.abstractmethod
    def list_locations(self) -> list[str]:
        """Every location the store holds data in (SQL: tables as
        "schema.table" outside the default schema; files: top-level folders),
        so that the exposure report can name what the catalog does not."""

    @abc.abstractmethod
    def rectify(
        self,
        dataset: Dataset,
        identifiers: Sequence[str],
        key: str,
        changes: dict[str, Any],
    ) -> int:
        """Set field -> new value on the subject's record `key` (GDPR Art. 16).

        Only fields the catalog lists for the dataset may change, never its
        primary key or subject field (ValueError otherwise, before the store
        is touched). Returns 1 if the record was updated, 0 if `key` is not
        one of this subject's records: another person's record is never
        touched.
        """

    def open_file(
        self,
        dataset: Dataset,
        identifiers: Sequence[str],
        key: str,
        *,
        window: TimeWindow | None = None,
    ) -> Path:
        """The file behind one of the subject's records.

        Raises FileNotFoundError unless `key` names a file that belongs to this
        subject in this dataset (so a crafted key can never reach another's),
        and, when `window` is given, was written within it.
        """
        raise FileNotFoundError(key)

    def checked_changes(
        self, dataset: Dataset, changes: dict[str, Any]
    ) -> dict[str, Any]:
        """The changes, if every field may be rectified; ValueError otherwise.

        Moving a record to another person (its subject field) or renumbering
        it (its primary key) is not a correction of it, so both are refused.
        """
        if not changes:
            raise ValueError(f"dataset '{dataset.key}': no changes to apply")
        listed = set(dataset.fields.values_list("name", flat=True))
        for name in changes:
            if name in (dataset.primary_key, dataset.subject_field):
                raise ValueError(
                    f"dataset '{dataset.key}': field '{name}' is the record's "
                    "primary key or subject field and cannot be rectified"
                )
            if name not in listed:
                raise ValueError(
                    f"dataset '{dataset.key}': '{name}' is not a field the "
                    "catalog lists for it, so it cannot be rectified"
                )
        return dict(changes)
