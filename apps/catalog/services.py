"""Writes to the catalog: loading a catalog file (catalog as code)."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from apps.catalog.loader import CatalogError, FieldSpec, parse_catalog
from apps.catalog.models import Dataset, Field, Program, Store


@dataclass
class KindSummary:
    """What a load did to the rows of one model."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    not_in_file: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


@dataclass
class LoadSummary:
    stores: KindSummary = field(default_factory=KindSummary)
    programs: KindSummary = field(default_factory=KindSummary)
    datasets: KindSummary = field(default_factory=KindSummary)
    fields: KindSummary = field(default_factory=KindSummary)

    def kinds(self) -> dict[str, KindSummary]:
        return {
            "stores": self.stores,
            "programs": self.programs,
            "datasets": self.datasets,
            "fields": self.fields,
        }

    @property
    def changed(self) -> bool:
        return any(kind.changed for kind in self.kinds().values())

    def lines(self) -> list[str]:
        """The summary as lines of text for a terminal."""
        lines = []
        for name, kind in self.kinds().items():
            lines.append(
                _(
                    "%(name)s: %(created)d created, %(updated)d updated, "
                    "%(unchanged)d unchanged, %(deleted)d deleted"
                )
                % {"name": name, **vars(kind)}
            )
        for name, kind in self.kinds().items():
            if kind.not_in_file:
                lines.append(
                    _("%(name)s not in the file (kept; --prune deletes them): %(keys)s")
                    % {"name": name, "keys": ", ".join(kind.not_in_file)}
                )
        return lines


class _Loader:
    """Applies a checked catalog; one instance per load."""

    def __init__(self, filename: str):
        self.filename = filename
        self.summary = LoadSummary()

    def save(self, obj: models.Model, where: str) -> None:
        # The file was checked already; full_clean is the last line of
        # defence, and its complaint must still name the entry.
        try:
            obj.full_clean()
        except ValidationError as exc:
            raise CatalogError(
                [
                    f"{self.filename}: {where}.{name}: {message}"
                    for name, messages in exc.message_dict.items()
                    for message in messages
                ]
            ) from exc
        obj.save()

    def upsert(
        self,
        model: type[models.Model],
        key: str,
        values: dict[str, Any],
        counts: KindSummary,
        where: str,
    ) -> models.Model:
        """Create or update the row with this key; save only if it differs."""
        obj = model.objects.filter(key=key).first()
        if obj is None:
            obj = model(key=key, **values)
            self.save(obj, where)
            counts.created += 1
            return obj
        changed = False
        for name, value in values.items():
            if getattr(obj, name) != value:
                setattr(obj, name, value)
                changed = True
        if changed:
            self.save(obj, where)
            counts.updated += 1
        else:
            counts.unchanged += 1
        return obj

    def sync_fields(self, dataset: Dataset, specs: list[FieldSpec], where: str) -> bool:
        """Make the dataset's fields match the file; True if any row changed."""
        counts = self.summary.fields
        existing = {f.name: f for f in dataset.fields.all()}
        changed = False
        for index, spec in enumerate(specs):
            values = {
                "description": spec.description,
                "data_category": spec.data_category,
                "mask": spec.mask,
            }
            obj = existing.pop(spec.name, None)
            if obj is None:
                obj = Field(dataset=dataset, name=spec.name, **values)
                self.save(obj, f"{where}.fields[{index}]")
                counts.created += 1
                changed = True
            elif any(getattr(obj, k) != v for k, v in values.items()):
                for name, value in values.items():
                    setattr(obj, name, value)
                self.save(obj, f"{where}.fields[{index}]")
                counts.updated += 1
                changed = True
            else:
                counts.unchanged += 1
        for obj in existing.values():
            obj.delete()
            counts.deleted += 1
            changed = True
        return changed

    def prune(self, model: type[models.Model], keys: list[str], counts) -> list[str]:
        """Delete the rows with these keys; the reasons for those that are kept."""
        errors = []
        for obj in model.objects.filter(key__in=keys):
            try:
                # A savepoint: a refused delete must not break the transaction.
                with transaction.atomic():
                    obj.delete()
            except (ProtectedError, RestrictedError) as exc:
                blockers = sorted(
                    {str(o._meta.verbose_name) for o in exc.protected_objects}
                    if isinstance(exc, ProtectedError)
                    else {str(o._meta.verbose_name) for o in exc.restricted_objects}
                )
                errors.append(
                    _(
                        "%(file)s: cannot prune %(kind)s %(key)r: it is still "
                        "referenced by %(by)s"
                    )
                    % {
                        "file": self.filename,
                        "kind": model._meta.verbose_name,
                        "key": obj.key,
                        "by": ", ".join(blockers),
                    }
                )
            else:
                counts.deleted += 1
        return errors


@transaction.atomic
def catalog_load(*, path: Path, prune: bool = False) -> LoadSummary:
    """Load the catalog file at `path` into the database.

    The whole file is checked first; if anything is wrong a CatalogError lists
    every problem and nothing is written. A valid file is applied in one
    transaction: stores, programs and datasets are created or updated by key,
    and each dataset's fields are made to match the file. Loading the same
    file twice changes nothing. Rows whose keys are not in the file are
    listed in the summary and kept, unless `prune` is set: then they are
    deleted, and if anything outside the catalog still refers to one of them,
    a CatalogError says which and nothing is written.
    """
    spec, errors = parse_catalog(path)
    if errors:
        raise CatalogError(errors)
    loader = _Loader(path.name)
    summary = loader.summary

    stores = {
        s.key: loader.upsert(Store, s.key, s.values, summary.stores, f"stores[{i}]")
        for i, s in enumerate(spec.stores)
    }
    for p_index, program_spec in enumerate(spec.programs):
        where = f"programs[{p_index}]"
        program = loader.upsert(
            Program, program_spec.key, program_spec.values, summary.programs, where
        )
        for dataset_spec in program_spec.datasets:
            values = {
                **dataset_spec.values,
                "store": stores[dataset_spec.store_key],
                "program": program,
            }
            unchanged_before = summary.datasets.unchanged
            dataset = loader.upsert(
                Dataset, dataset_spec.key, values, summary.datasets, dataset_spec.origin
            )
            fields_changed = loader.sync_fields(
                dataset, dataset_spec.fields, dataset_spec.origin
            )
            if fields_changed and summary.datasets.unchanged > unchanged_before:
                # Its own row was the same, but its fields were not.
                summary.datasets.unchanged -= 1
                summary.datasets.updated += 1

    missing = {
        Dataset: sorted(
            set(Dataset.objects.values_list("key", flat=True))
            - {d.key for d in spec.datasets()}
        ),
        Program: sorted(
            set(Program.objects.values_list("key", flat=True))
            - {p.key for p in spec.programs}
        ),
        Store: sorted(set(Store.objects.values_list("key", flat=True)) - set(stores)),
    }
    counts = {
        Dataset: summary.datasets,
        Program: summary.programs,
        Store: summary.stores,
    }
    if not prune:
        for model, keys in missing.items():
            counts[model].not_in_file = keys
        return summary
    # Datasets first: they protect their programs and stores.
    prune_errors = []
    for model, keys in missing.items():
        prune_errors += loader.prune(model, keys, counts[model])
    if prune_errors:
        raise CatalogError(prune_errors)
    return summary
