"""The connector for file stores: one folder per subject under a root directory.

A dataset's location is a template such as "captures/{identifier}" and its
file_pattern a glob such as "**/*.png". Nothing outside the subject's own
folders is ever listed, opened or deleted: identifier values that could climb
out are refused, and every path is checked after symlinks are resolved.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings

from apps.catalog.models import Dataset, ErasureStrategy
from apps.stores.base import (
    Connector,
    DatasetSummary,
    Record,
    StoreMisconfigured,
    StoreUnavailable,
    TimeWindow,
)


def _safe_identifier(value: str) -> bool:
    """Whether a value may name one folder: no separators, no parent, no NUL.

    "." is refused too: "captures/." would be everyone's folder.
    """
    if value in ("", "."):
        return False
    return not any(bad in value for bad in ("/", "\\", "..", "\x00"))


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or path.is_relative_to(folder)


class FileStoreConnector(Connector):
    """A subject's records are the files matching the pattern in their folders."""

    def check(self) -> None:
        self._root()

    def summarize(
        self,
        dataset: Dataset,
        identifiers: Sequence[str],
        *,
        window: TimeWindow | None = None,
    ) -> DatasetSummary:
        stamps = [
            record.timestamp
            for record in self.stream(dataset, identifiers)
            if window is None or window.contains(record.timestamp)
        ]
        return DatasetSummary(
            count=len(stamps),
            oldest=min(stamps, default=None),
            newest=max(stamps, default=None),
        )

    def page(
        self,
        dataset: Dataset,
        identifiers: Sequence[str],
        *,
        offset: int,
        limit: int,
        window: TimeWindow | None = None,
    ) -> list[Record]:
        if offset < 0 or limit < 0:
            raise ValueError("offset and limit must not be negative")
        records = sorted(
            (
                record
                for record in self.stream(dataset, identifiers)
                if window is None or window.contains(record.timestamp)
            ),
            key=lambda r: (r.timestamp, r.key),
            reverse=True,
        )
        return records[offset : offset + limit]

    def stream(
        self, dataset: Dataset, identifiers: Sequence[str], *, batch_size: int = 5000
    ) -> Iterator[Record]:
        # Files are listed lazily, one directory entry at a time: batch_size
        # has nothing to batch here.
        root = self._root()
        for folder in self._folders(dataset, identifiers, root):
            for path in self._files(dataset, folder):
                yield self._record(root, path)

    def erase(
        self,
        dataset: Dataset,
        identifiers: Sequence[str],
        *,
        batch_size: int = 5000,
        found: int | None = None,
    ) -> int:
        if dataset.erasure_strategy not in (
            ErasureStrategy.DELETE_FILES,
            ErasureStrategy.DELETE,
        ):
            raise StoreMisconfigured(
                self.store,
                f"dataset '{dataset.key}': files cannot be erased by "
                f"'{dataset.erasure_strategy}'",
            )
        root = self._root()
        deleted = 0
        for folder in self._folders(dataset, identifiers, root):
            # Listed first, deleted after: never delete while a walk is running.
            for path in list(self._files(dataset, folder)):
                try:
                    path.unlink()
                except FileNotFoundError:
                    continue  # Gone already (a concurrent or earlier run).
                except OSError as exc:
                    raise self._unavailable(exc) from None
                deleted += 1
            _prune_empty(folder)
        return deleted

    def verify(self, dataset: Dataset, identifiers: Sequence[str]) -> int:
        return sum(1 for _ in self.stream(dataset, identifiers))

    def erase_older_than(
        self,
        dataset: Dataset,
        cutoff: dt.datetime,
        *,
        batch_size: int = 5000,
        exclude_identifiers: Sequence[str] = (),
    ) -> int:
        """Files are dated by their modification time; one subject folder is
        listed, then its old files deleted, before the next is looked at."""
        if batch_size < 1:
            raise ValueError("batch_size must be positive")
        root = self._root()
        kept = {str(value) for value in exclude_identifiers}
        deleted = 0
        for value in self._all_identifiers(dataset, root):
            if value in kept:
                continue
            for folder in self._folders(dataset, [value], root):
                old = [
                    path
                    for path in self._files(dataset, folder)
                    if self._record(root, path).timestamp < cutoff
                ]
                deleted += self._unlink(old)
                _prune_empty(folder)
        return deleted

    def list_locations(self) -> list[str]:
        root = self._root()
        try:
            return sorted(p.name for p in root.iterdir() if p.is_dir())
        except OSError as exc:
            raise self._unavailable(exc) from None

    def open_file(
        self,
        dataset: Dataset,
        identifiers: Sequence[str],
        key: str,
        *,
        window: TimeWindow | None = None,
    ) -> Path:
        root = self._root()
        if not key or "\x00" in key:
            raise FileNotFoundError(key)
        candidate = (root / key).resolve()
        if not candidate.is_file():
            raise FileNotFoundError(key)
        for folder in self._folders(dataset, identifiers, root):
            if not _inside(candidate, folder):
                continue
            # The pattern decides, exactly as it does when the files are listed.
            if any(path == candidate for path in self._files(dataset, folder)):
                if window is not None and not window.contains(
                    self._record(root, candidate).timestamp
                ):
                    break
                return candidate
        raise FileNotFoundError(key)

    def rectify(
        self,
        dataset: Dataset,
        identifiers: Sequence[str],
        key: str,
        changes: dict[str, Any],
    ) -> int:
        # A capture is what it shows: correcting it would forge it.
        raise StoreMisconfigured(
            self.store,
            f"dataset '{dataset.key}': a file cannot be rectified; erase it instead",
        )

    # -- helpers -----------------------------------------------------------

    def _root(self) -> Path:
        """The store's root directory, resolved."""
        connection = self.store.connection or {}
        if "root_setting" in connection:
            name = connection["root_setting"]
            raw = getattr(settings, name, None)
            if not raw:
                raise StoreMisconfigured(self.store, f"setting {name} is not defined")
        elif "root_env" in connection:
            name = connection["root_env"]
            raw = os.environ.get(name)
            if not raw:
                raise StoreMisconfigured(
                    self.store, f"environment variable {name} is not set"
                )
        else:
            raise StoreMisconfigured(
                self.store, "connection must name root_setting or root_env"
            )
        root = Path(raw)
        if not root.exists():
            # Most often an unmounted volume: worth retrying later.
            raise StoreUnavailable(self.store, f"root folder {root} does not exist")
        if not root.is_dir():
            raise StoreMisconfigured(self.store, f"root {root} is not a directory")
        return root.resolve()

    def _folders(
        self, dataset: Dataset, identifiers: Sequence[str], root: Path
    ) -> list[Path]:
        """The subject's folders, resolved, each inside the root."""
        if "{identifier}" not in dataset.location:
            raise StoreMisconfigured(
                self.store,
                f"dataset '{dataset.key}': location must contain {{identifier}}",
            )
        if not dataset.file_pattern:
            raise StoreMisconfigured(
                self.store, f"dataset '{dataset.key}' has no file pattern"
            )
        folders: dict[Path, None] = {}
        for value in sorted({str(v) for v in identifiers}):
            if not _safe_identifier(value):
                continue
            folder = (root / dataset.location.format(identifier=value)).resolve()
            if folder != root and _inside(folder, root) and folder.is_dir():
                folders[folder] = None
        return list(folders)

    def _all_identifiers(self, dataset: Dataset, root: Path) -> list[str]:
        """The identifier of every subject folder the dataset has, sorted.

        Only locations where "{identifier}" is a whole folder name are
        supported ("captures/{identifier}", "{identifier}/screens").
        """
        prefix, marker, _suffix = dataset.location.partition("{identifier}")
        if not marker or (prefix and not prefix.endswith("/")):
            raise StoreMisconfigured(
                self.store,
                f"dataset '{dataset.key}': {{identifier}} must be a whole folder "
                "name in the location",
            )
        base = (root / prefix).resolve()
        if not _inside(base, root) or not base.is_dir():
            return []
        try:
            names = [p.name for p in base.iterdir() if p.is_dir()]
        except OSError as exc:
            raise self._unavailable(exc) from None
        return sorted(name for name in names if _safe_identifier(name))

    def _unlink(self, paths: list[Path]) -> int:
        deleted = 0
        for path in paths:
            try:
                path.unlink()
            except FileNotFoundError:
                continue  # Gone already (a concurrent or earlier run).
            except OSError as exc:
                raise self._unavailable(exc) from None
            deleted += 1
        return deleted

    def _files(self, dataset: Dataset, folder: Path) -> Iterator[Path]:
        """Files matching the pattern whose real path lies inside the folder."""
        seen: set[Path] = set()
        try:
            for path in folder.glob(dataset.file_pattern):
                real = path.resolve()
                if real not in seen and real.is_file() and _inside(real, folder):
                    seen.add(real)
                    yield real
        except OSError as exc:
            raise self._unavailable(exc) from None

    def _record(self, root: Path, path: Path) -> Record:
        try:
            stat = path.stat()
        except OSError as exc:
            raise self._unavailable(exc) from None
        modified = dt.datetime.fromtimestamp(stat.st_mtime, tz=dt.UTC)
        content_type, _ = mimetypes.guess_type(path.name)
        return Record(
            key=path.relative_to(root).as_posix(),
            timestamp=modified,
            values={
                "name": path.name,
                "size_bytes": stat.st_size,
                "modified_at": modified,
                "content_type": content_type or "application/octet-stream",
            },
            file=path,
        )

    def _unavailable(self, exc: OSError) -> StoreUnavailable:
        return StoreUnavailable(self.store, f"{type(exc).__name__}: {exc.strerror}")


def _prune_empty(folder: Path) -> None:
    """Remove empty directories under the folder, then the folder if empty."""
    for dirpath, _dirnames, _filenames in os.walk(folder, topdown=False):
        try:
            Path(dirpath).rmdir()
        except OSError:
            continue  # Not empty (a file outside the pattern stays, and its folder).
