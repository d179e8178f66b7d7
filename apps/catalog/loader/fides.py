"""Datasets described in Fides dataset files (fideslang's YAML format).

A program lists `fides_datasets: [{file, store}]`. Each collection of each
Fides dataset in the file becomes one of the program's datasets in that
store, keyed `<fides_key>_<collection>`. The file is first checked with
fideslang's own pydantic model, then with the same rules as datasets written
in the catalog; problems name the Fides file and the path inside it.
"""

from pathlib import Path
from typing import Any

from django.utils.text import slugify
from django.utils.translation import gettext as _

from apps.catalog import taxonomy
from apps.catalog.loader import schema
from apps.catalog.loader.errors import ErrorList
from apps.catalog.loader.parse import DatasetSpec, FieldSpec, dataset_spec, report
from apps.catalog.loader.yamlio import read_yaml
from apps.catalog.models import Dataset, Field
from apps.catalog.validation import one_of, taxonomy_problems
from apps.people.models import IdentifierKind

# Fides identities that name a person in a way Candor stores as an identifier.
# phone_number is a Fides built-in we hold no identifier for.
FIDES_IDENTITIES = {"email": IdentifierKind.EMAIL}
UNSUPPORTED_IDENTITIES = ("phone_number",)


def read_fides_datasets(
    raw: Any, where: str, store_kinds: dict, base_dir: Path, errors: ErrorList
) -> list[DatasetSpec]:
    """The datasets of one `fides_datasets` entry, or [] after reporting why."""
    entry = schema.read_entry(raw, schema.FIDES_DATASET, where, errors)
    if entry is None or not {"file", "store"} <= set(entry):
        return []
    if entry["store"] not in store_kinds:
        errors.add(
            f"{where}.store",
            _("%(key)r is not a store of this catalog") % {"key": entry["store"]},
        )
        return []
    file_errors = errors.for_file(entry["file"])
    document = read_yaml(base_dir / entry["file"], file_errors)
    if document is None:
        return []
    if not isinstance(document, dict) or not isinstance(document.get("dataset"), list):
        file_errors.add("dataset", _("a Fides dataset file has a list under 'dataset'"))
        return []
    for name in document:
        if name != "dataset":
            file_errors.add(str(name), _("unknown key; allowed: dataset"))
    specs = []
    for index, raw_dataset in enumerate(document["dataset"]):
        specs.extend(
            _read_dataset(
                raw_dataset,
                f"dataset[{index}]",
                entry["store"],
                store_kinds,
                file_errors,
            )
        )
    return specs


def _pydantic_path(loc: tuple) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _read_dataset(
    raw: Any, where: str, store_key: str, store_kinds: dict, errors: ErrorList
) -> list[DatasetSpec]:
    # Imported here: fideslang's models are heavy and only this path needs them.
    from fideslang.models import Dataset as FidesDataset
    from pydantic import ValidationError

    try:
        dataset = FidesDataset.model_validate(raw)
    except ValidationError as exc:
        for error in exc.errors():
            errors.add(where + _pydantic_path(error["loc"]), error["msg"])
        return []
    # fideslang sorts collections and fields by name; problems must point at
    # the file's own order, so walk the raw lists and look the models up.
    collections = {c.name: c for c in dataset.collections}
    specs = []
    for index, raw_collection in enumerate(raw["collections"]):
        collection = collections[raw_collection["name"]]
        by_name = {f.name: f for f in collection.fields}
        fields = [by_name[f["name"]] for f in raw_collection["fields"]]
        spec = _read_collection(
            dataset,
            collection,
            fields,
            raw_collection,
            f"{where}.collections[{index}]",
            store_key,
            store_kinds,
            errors,
        )
        if spec is not None:
            specs.append(spec)
    return specs


def _identifier_kind(identity: str) -> str | None:
    if identity in FIDES_IDENTITIES:
        return FIDES_IDENTITIES[identity]
    if identity in IdentifierKind.values:
        return identity
    return None


def _read_collection(
    dataset,
    collection,
    fields_in_order: list,
    raw_collection: dict,
    where: str,
    store_key: str,
    store_kinds: dict,
    errors: ErrorList,
) -> DatasetSpec | None:
    identities = [
        (index, field)
        for index, field in enumerate(fields_in_order)
        if field.fides_meta and field.fides_meta.identity
    ]
    kind = None
    subject_field = ""
    if not identities:
        errors.add(
            f"{where}.fields",
            _(
                "no field has fides_meta.identity, so nothing says whose records "
                "these are"
            ),
        )
    for position, (index, field) in enumerate(identities):
        path = f"{where}.fields[{index}].fides_meta.identity"
        if position > 0:
            errors.add(path, _("only one field of a collection may be the identity"))
            continue
        identity = field.fides_meta.identity
        kind = _identifier_kind(identity)
        subject_field = field.name
        if identity in UNSUPPORTED_IDENTITIES:
            errors.add(
                path,
                _("%(identity)r is not supported: Candor holds no such identifier")
                % {"identity": identity},
            )
        elif kind is None:
            errors.add(path, one_of(identity, IdentifierKind.values))

    primary_key = next(
        (f.name for f in fields_in_order if f.fides_meta and f.fides_meta.primary_key),
        "id",
    )
    fields = []
    description_limit = Field._meta.get_field("description").max_length
    for index, field in enumerate(fields_in_order):
        path = f"{where}.fields[{index}]"
        if field.fields:
            errors.add(f"{path}.fields", _("nested fields are not supported"))
            continue
        if not field.data_categories:
            # A field with no category holds no personal data (a row id).
            continue
        report(
            errors,
            path,
            taxonomy_problems(
                "data_categories",
                taxonomy.TaxonomyKind.DATA_CATEGORY,
                field.data_categories,
            ),
        )
        description = field.description or ""
        if len(description) > description_limit:
            errors.add(
                f"{path}.description",
                _("is longer than %(limit)d characters") % {"limit": description_limit},
            )
        fields.append(
            FieldSpec(
                name=field.name,
                data_category=field.data_categories[0],
                description=description,
            )
        )

    collection_meta = raw_collection.get("fides_meta") or {}
    timestamp_field = ""
    if isinstance(collection_meta, dict):
        timestamp_field = collection_meta.get("timestamp_field") or ""
    if not isinstance(timestamp_field, str):
        errors.add(f"{where}.fides_meta.timestamp_field", _("must be a string"))
        timestamp_field = ""

    key = slugify(f"{dataset.fides_key}_{collection.name}")
    key_limit = Dataset._meta.get_field("key").max_length
    if not key or len(key) > key_limit:
        errors.add(
            f"{where}.name",
            _("gives the dataset key %(key)r, which must be 1 to %(limit)d characters")
            % {"key": key, "limit": key_limit},
        )
        return None
    name = f"{dataset.name or dataset.fides_key}: {collection.name}"
    values = {
        "key": key,
        "store": store_key,
        "name": name[: Dataset._meta.get_field("name").max_length],
        "description": collection.description or dataset.description or "",
        "location": collection.name,
        "primary_key": primary_key,
        "subject_field": subject_field,
        "identifier_kind": kind,
        "timestamp_field": timestamp_field,
        "file_pattern": "",
        "erasure_strategy": None,
        "derived_from": [],
    }
    spec = dataset_spec(values, fields, where, store_kinds, errors)
    if spec is None or kind is None:
        return None
    spec.source = errors
    spec.key_path = f"{where}.name"
    return spec
