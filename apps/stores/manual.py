"""The connector for stores without an API: a person answers for them.

Paper files, a vendor's portal, a system only its administrator can reach:
every data method raises ManualStep naming who must carry the step out by
hand (connection {"assignee_email": ...}, else the store's owner), and the
rights engine turns the job into a task for that person, who attaches the
evidence and confirms.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from apps.catalog.models import Dataset
from apps.stores.base import (
    Connector,
    DatasetSummary,
    ManualStep,
    Record,
    StoreMisconfigured,
    TimeWindow,
)


class ManualConnector(Connector):
    """Nothing is read or changed here: each step becomes a person's task."""

    def check(self) -> None:
        # Nothing to reach; only who answers must be known.
        self.assignee()

    def assignee(self) -> str:
        """Who carries out the steps: the connection's assignee_email, or the
        store's owner. StoreMisconfigured if neither is set."""
        email = (self.store.connection or {}).get("assignee_email")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise StoreMisconfigured(
                    self.store, "assignee_email is not an e-mail address"
                ) from None
            return str(email)
        if self.store.owner:
            return self.store.owner
        raise StoreMisconfigured(
            self.store,
            "a manual store needs an owner or connection.assignee_email: someone "
            "must answer for it",
        )

    def summarize(
        self,
        dataset: Dataset,
        identifiers: Sequence[str],
        *,
        window: TimeWindow | None = None,
    ) -> DatasetSummary:
        raise self._step(dataset, "count")

    def page(
        self,
        dataset: Dataset,
        identifiers: Sequence[str],
        *,
        offset: int,
        limit: int,
        window: TimeWindow | None = None,
    ) -> list[Record]:
        raise self._step(dataset, "export")

    def stream(
        self, dataset: Dataset, identifiers: Sequence[str], *, batch_size: int = 5000
    ) -> Iterator[Record]:
        raise self._step(dataset, "export")

    def erase(
        self,
        dataset: Dataset,
        identifiers: Sequence[str],
        *,
        batch_size: int = 5000,
        found: int | None = None,
    ) -> int:
        raise self._step(dataset, "erase")

    def verify(self, dataset: Dataset, identifiers: Sequence[str]) -> int:
        raise self._step(dataset, "verify")

    def erase_older_than(
        self,
        dataset: Dataset,
        cutoff: dt.datetime,
        *,
        batch_size: int = 5000,
        exclude_identifiers: Sequence[str] = (),
    ) -> int:
        raise self._step(dataset, "erase_older_than")

    def rectify(
        self,
        dataset: Dataset,
        identifiers: Sequence[str],
        key: str,
        changes: dict[str, Any],
    ) -> int:
        # The same rules as everywhere, so the task asks nothing unlawful.
        self.checked_changes(dataset, changes)
        raise self._step(dataset, "rectify")

    def list_locations(self) -> list[str]:
        """Nothing Candor can list: the owner answers for the whole store."""
        return []

    def _step(self, dataset: Dataset, action: str) -> ManualStep:
        assignee = self.assignee()
        return ManualStep(
            self.store,
            f"dataset '{dataset.key}' has no API: {assignee} must "
            f"{_WHAT[action]} by hand",
            assignee=assignee,
            action=action,
        )


# What the person is asked to do, by ManualStep.action.
_WHAT = {
    "count": "count the person's records",
    "export": "export the person's records",
    "erase": "erase the person's records",
    "verify": "confirm that none of the person's records remain",
    "erase_older_than": "delete the records past their retention period",
    "rectify": "correct the person's record",
}
