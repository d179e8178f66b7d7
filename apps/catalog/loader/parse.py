"""Reading and checking a catalog file into plain specs, touching no database."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from apps.catalog import taxonomy
from apps.catalog.loader import schema
from apps.catalog.loader.errors import ErrorList
from apps.catalog.loader.yamlio import read_yaml
from apps.catalog.models import StoreKind
from apps.catalog.validation import (
    Problem,
    connection_problems,
    dataset_problems,
    default_erasure,
    field_problems,
    taxonomy_problems,
)

SUPPORTED_VERSIONS = (1,)

# File keys for the model attributes whose names differ, to report problems
# found by the shared rules (apps.catalog.validation) where the file has them.
FILE_NAMES = {
    "identifier_kind": "identifier",
    "erasure_strategy": "erasure",
    "data_category": "category",
}


@dataclass
class FieldSpec:
    name: str
    data_category: str
    description: str = ""
    mask: str = ""


@dataclass
class DatasetSpec:
    key: str
    store_key: str
    values: dict[str, Any]
    fields: list[FieldSpec]
    # Where the dataset was defined (the file and the path to it in the
    # file), to name it in problems found once the whole catalog is read.
    origin: str = ""
    source: ErrorList | None = None
    key_path: str = ""

    def add_error(self, errors: ErrorList, path: str, message: str) -> None:
        (self.source if self.source is not None else errors).add(path, message)


@dataclass
class ProgramSpec:
    key: str
    values: dict[str, Any]
    datasets: list[DatasetSpec] = field(default_factory=list)


@dataclass
class StoreSpec:
    key: str
    values: dict[str, Any]


@dataclass
class CatalogSpec:
    stores: list[StoreSpec] = field(default_factory=list)
    programs: list[ProgramSpec] = field(default_factory=list)

    def datasets(self) -> list[DatasetSpec]:
        return [d for p in self.programs for d in p.datasets]


def report(errors: ErrorList, path: str, problems: list[Problem], list_name=None):
    """Add shared-rule problems to `errors` under `path`, in the file's words."""
    for problem in problems:
        head, _dot, rest = problem.attribute.partition(".")
        name = FILE_NAMES.get(head, head) + (f".{rest}" if rest else "")
        if problem.index is not None and list_name:
            where = f"{path}.{list_name}[{problem.index}].{name}"
        elif problem.index is not None:
            where = f"{path}.{name}[{problem.index}]"
        else:
            where = f"{path}.{name}"
        errors.add(where, problem.message)


def parse_catalog(path: Path) -> tuple[CatalogSpec, list[str]]:
    """The catalog in `path` and every problem found in it (empty if valid)."""
    errors = ErrorList(path.name)
    spec = CatalogSpec()
    document = read_yaml(path, errors)
    if errors:
        return spec, errors.errors
    top = schema.read_entry(document, schema.TOP, "", errors)
    if top is None:
        return spec, errors.errors
    if "version" in top and top["version"] not in SUPPORTED_VERSIONS:
        errors.add(
            "version", _("%(v)r is not a supported version (1)") % {"v": top["version"]}
        )

    stores = _read_stores(top, errors)
    spec.stores = list(stores.values())
    store_kinds = {key: s.values.get("kind") for key, s in stores.items()}
    seen_programs: dict[str, str] = {}
    for where, raw in schema.entries(top, "programs", "", "programs"):
        program = _read_program(raw, where, store_kinds, path.parent, errors)
        if program is None:
            continue
        if program.key in seen_programs:
            errors.add(
                f"{where}.key",
                _("%(key)r is already the key of %(other)s")
                % {"key": program.key, "other": seen_programs[program.key]},
            )
        seen_programs.setdefault(program.key, where)
        spec.programs.append(program)
    _check_dataset_keys(spec, errors)
    return spec, errors.errors


def _read_stores(top: dict, errors: ErrorList) -> dict[str, StoreSpec]:
    stores: dict[str, StoreSpec] = {}
    origins: dict[str, str] = {}
    for where, raw in schema.entries(top, "stores", "", "stores"):
        values = schema.read_entry(raw, schema.STORE, where, errors)
        if values is None or "key" not in values:
            continue
        key = values.pop("key")
        if key in stores:
            errors.add(
                f"{where}.key",
                _("%(key)r is already the key of %(other)s")
                % {"key": key, "other": origins[key]},
            )
            continue
        if "kind" in values and "connection" in values:
            report(
                errors, where, connection_problems(values["kind"], values["connection"])
            )
            _check_manual_store(values, where, errors)
        stores[key] = StoreSpec(key=key, values=values)
        origins[key] = where
    return stores


def _check_manual_store(values: dict, where: str, errors: ErrorList) -> None:
    """A manual store's steps are tasks for a person: someone must be named."""
    connection = values["connection"]
    if values["kind"] != StoreKind.MANUAL or not isinstance(connection, dict):
        return
    if not values.get("owner") and not connection.get("assignee_email"):
        errors.add(
            f"{where}.owner",
            _(
                "a manual store needs an owner or connection.assignee_email: "
                "its requests become that person's tasks"
            ),
        )


def _read_program(
    raw: Any, where: str, store_kinds: dict, base_dir: Path, errors: ErrorList
) -> ProgramSpec | None:
    values = schema.read_entry(raw, schema.PROGRAM, where, errors)
    if values is None:
        return None
    for attribute, kind in (
        ("data_subjects", taxonomy.TaxonomyKind.DATA_SUBJECT),
        ("data_categories", taxonomy.TaxonomyKind.DATA_CATEGORY),
        ("data_uses", taxonomy.TaxonomyKind.DATA_USE),
    ):
        if attribute in values:
            report(errors, where, taxonomy_problems(attribute, kind, values[attribute]))
    datasets = [
        dataset
        for path, item in schema.entries(values, "datasets", where, "datasets")
        if (dataset := read_dataset(item, path, store_kinds, errors)) is not None
    ]
    # Imported here: the Fides reader uses this module's specs.
    from apps.catalog.loader.fides import read_fides_datasets

    for path, item in schema.entries(values, "fides_datasets", where, "fides_datasets"):
        datasets.extend(read_fides_datasets(item, path, store_kinds, base_dir, errors))
    values.pop("datasets", None)
    values.pop("fides_datasets", None)
    if "key" not in values:
        return None
    return ProgramSpec(key=values.pop("key"), values=values, datasets=datasets)


def read_dataset(
    raw: Any, where: str, store_kinds: dict, errors: ErrorList
) -> DatasetSpec | None:
    """A dataset entry of the catalog file, checked against its store."""
    values = schema.read_entry(raw, schema.DATASET, where, errors)
    if values is None:
        return None
    fields = []
    for path, item in schema.entries(values, "fields", where, "fields"):
        field_values = schema.read_entry(item, schema.FIELD, path, errors)
        if field_values is None or not {"name", "data_category"} <= set(field_values):
            continue
        problems = taxonomy_problems(
            "data_category",
            taxonomy.TaxonomyKind.DATA_CATEGORY,
            [field_values["data_category"]],
        )
        # One category, not a list: no index in the path.
        report(errors, path, [p._replace(index=None) for p in problems])
        fields.append(FieldSpec(**field_values))
    values.pop("fields", None)
    return dataset_spec(values, fields, where, store_kinds, errors)


def dataset_spec(
    values: dict,
    fields: list[FieldSpec],
    where: str,
    store_kinds: dict,
    errors: ErrorList,
) -> DatasetSpec | None:
    """Apply the store-dependent rules to a dataset's values and build its spec.

    Shared by datasets written in the catalog and those read from Fides files.
    """
    store_key = values.pop("store", None)
    if store_key is not None and store_key not in store_kinds:
        errors.add(
            f"{where}.store",
            _("%(key)r is not a store of this catalog") % {"key": store_key},
        )
        store_key = None
    store_kind = store_kinds.get(store_key)
    if store_kind and values.get("erasure_strategy") is None:
        values["erasure_strategy"] = default_erasure(store_kind)
    if store_kind and "erasure_strategy" in values:
        report(
            errors,
            where,
            dataset_problems(
                store_kind=store_kind,
                location=values.get("location", ""),
                subject_field=values.get("subject_field", ""),
                file_pattern=values.get("file_pattern", ""),
                erasure_strategy=values["erasure_strategy"],
            ),
        )
    if "erasure_strategy" in values and values["erasure_strategy"] is not None:
        report(
            errors,
            where,
            field_problems(
                erasure_strategy=values["erasure_strategy"],
                subject_field=values.get("subject_field", ""),
                fields=[(f.name, f.mask) for f in fields],
            ),
            list_name="fields",
        )
    if "key" not in values or store_key is None:
        return None
    return DatasetSpec(
        key=values.pop("key"),
        store_key=store_key,
        values=values,
        fields=fields,
        origin=where,
        key_path=f"{where}.key",
    )


def _check_dataset_keys(spec: CatalogSpec, errors: ErrorList) -> None:
    """Dataset keys are unique across the catalog; derived_from names them."""
    origins: dict[str, str] = {}
    for dataset in spec.datasets():
        if dataset.key in origins:
            dataset.add_error(
                errors,
                dataset.key_path,
                _("%(key)r is already the key of %(other)s")
                % {"key": dataset.key, "other": origins[dataset.key]},
            )
        origins.setdefault(dataset.key, _describe(dataset))
    for dataset in spec.datasets():
        for index, key in enumerate(dataset.values.get("derived_from", [])):
            where = f"{dataset.origin}.derived_from[{index}]"
            if key not in origins:
                message = _("%(key)r is not a dataset of this catalog") % {"key": key}
            elif key == dataset.key:
                message = _("a dataset cannot be derived from itself")
            else:
                continue
            dataset.add_error(errors, where, message)


def _describe(dataset: DatasetSpec) -> str:
    if dataset.source is None:
        return dataset.origin
    return f"{dataset.source.filename}: {dataset.origin}"
