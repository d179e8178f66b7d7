"""The keys each entry of a catalog file may have, and their shapes.

One table per entry (store, program, dataset, field, Fides dataset). A key
maps to a model attribute; strings take their maximum length from the model,
so that a value the database would refuse is reported with the others
instead of failing half-way through the load.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.validators import slug_re
from django.db import models
from django.utils.translation import gettext as _

from apps.catalog.loader.errors import ErrorList
from apps.catalog.models import (
    Dataset,
    DpiaStatus,
    ErasureStrategy,
    Field,
    LegalBasis,
    MaskStrategy,
    Program,
    SpecialCategoryCondition,
    Store,
    StoreKind,
)
from apps.catalog.validation import one_of
from apps.people.models import IdentifierKind

# Shapes a value may take.
STR = "str"
SLUG = "slug"
INT = "int"
OPTIONAL_INT = "optional_int"
BOOL = "bool"
STR_LIST = "str_list"
MAPPING = "mapping"
ENTRY_LIST = "entry_list"  # a list of mappings, read by their own table


@dataclass(frozen=True)
class Key:
    """One key of an entry: the model attribute it fills and its shape."""

    attribute: str
    shape: str
    required: bool = False
    default: Any = ""
    choices: type[models.TextChoices] | None = None
    non_empty: bool = False


@dataclass(frozen=True)
class Table:
    model: type[models.Model] | None
    keys: Mapping[str, Key]


STORE = Table(
    Store,
    {
        "key": Key("key", SLUG, required=True),
        "name": Key("name", STR, required=True),
        "kind": Key("kind", STR, required=True, choices=StoreKind),
        "description": Key("description", STR),
        "owner": Key("owner", STR),
        "connection": Key("connection", MAPPING, required=True),
    },
)

PROGRAM = Table(
    Program,
    {
        "key": Key("key", SLUG, required=True),
        "name": Key("name", STR, required=True),
        "description": Key("description", STR),
        "purpose": Key("purpose", STR, required=True, non_empty=True),
        "legal_basis": Key("legal_basis", STR, required=True, choices=LegalBasis),
        "special_category_condition": Key(
            "special_category_condition", STR, choices=SpecialCategoryCondition
        ),
        "legitimate_interests_assessment": Key("legitimate_interests_assessment", STR),
        "data_subjects": Key("data_subjects", STR_LIST, required=True, non_empty=True),
        "data_categories": Key(
            "data_categories", STR_LIST, required=True, non_empty=True
        ),
        "data_uses": Key("data_uses", STR_LIST, required=True, non_empty=True),
        "recipients": Key("recipients", STR_LIST, default=()),
        "access": Key("access", STR_LIST, default=()),
        "source": Key("source", STR),
        "retention_days": Key("retention_days", INT, required=True),
        "leaver_retention_days": Key(
            "leaver_retention_days", OPTIONAL_INT, default=None
        ),
        "international_transfers": Key("international_transfers", STR),
        "transfer_safeguards": Key("transfer_safeguards", STR),
        "dpia_status": Key(
            "dpia_status", STR, default=DpiaStatus.REQUIRED, choices=DpiaStatus
        ),
        "dpia_reference": Key("dpia_reference", STR),
        "security_measures": Key("security_measures", STR),
        "automated_decision_making": Key("automated_decision_making", STR),
        "objection_allowed": Key("objection_allowed", BOOL, default=False),
        "datasets": Key("datasets", ENTRY_LIST, default=()),
        "fides_datasets": Key("fides_datasets", ENTRY_LIST, default=()),
    },
)

# The erasure default depends on the store's kind; the loader fills it in.
DATASET = Table(
    Dataset,
    {
        "key": Key("key", SLUG, required=True),
        "store": Key("store", SLUG, required=True),
        "name": Key("name", STR, required=True),
        "description": Key("description", STR),
        "location": Key("location", STR, required=True, non_empty=True),
        "primary_key": Key("primary_key", STR, default="id", non_empty=True),
        "subject_field": Key("subject_field", STR),
        "identifier": Key(
            "identifier_kind", STR, required=True, choices=IdentifierKind
        ),
        "timestamp_field": Key("timestamp_field", STR),
        "file_pattern": Key("file_pattern", STR),
        "erasure": Key("erasure_strategy", STR, default=None, choices=ErasureStrategy),
        "derived_from": Key("derived_from", STR_LIST, default=()),
        "fields": Key("fields", ENTRY_LIST, default=()),
    },
)

FIELD = Table(
    Field,
    {
        "name": Key("name", STR, required=True, non_empty=True),
        "category": Key("data_category", STR, required=True, non_empty=True),
        "description": Key("description", STR),
        "mask": Key("mask", STR, choices=MaskStrategy),
    },
)

FIDES_DATASET = Table(
    None,
    {
        "file": Key("file", STR, required=True, non_empty=True),
        "store": Key("store", SLUG, required=True),
    },
)

TOP = Table(
    None,
    {
        "version": Key("version", INT, required=True),
        "stores": Key("stores", ENTRY_LIST, default=()),
        "programs": Key("programs", ENTRY_LIST, default=()),
    },
)


def _max_length(table: Table, attribute: str) -> int | None:
    if table.model is None:
        return None
    try:
        return table.model._meta.get_field(attribute).max_length
    except FieldDoesNotExist:  # lists of entries fill no model field
        return None


def _check_str(value: Any, key: Key, table: Table) -> str | None:
    if not isinstance(value, str):
        return _("must be a string, not %(type)s") % {"type": _type_name(value)}
    if key.shape == SLUG and not slug_re.match(value):
        return _("%(value)r is not a valid key (letters, digits, - and _)") % {
            "value": value
        }
    if key.non_empty and not value.strip():
        return _("must not be empty")
    limit = _max_length(table, key.attribute)
    if limit and len(value) > limit:
        return _("is longer than %(limit)d characters") % {"limit": limit}
    if key.choices is not None and value not in key.choices.values:
        return one_of(value, [v for v in key.choices.values if v])
    return None


def _type_name(value: Any) -> str:
    names = {
        str: "text",
        int: "a number",
        float: "a number",
        bool: "true/false",
        list: "a list",
        dict: "a mapping",
        type(None): "nothing",
    }
    return names.get(type(value), type(value).__name__)


def _check(value: Any, key: Key, table: Table) -> str | None:
    """Why `value` does not fit `key`, or None if it does."""
    if key.shape in (STR, SLUG):
        return _check_str(value, key, table)
    if key.shape in (INT, OPTIONAL_INT):
        if value is None and key.shape == OPTIONAL_INT:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            return _("must be a whole number, not %(type)s") % {
                "type": _type_name(value)
            }
        if value < 0:
            return _("must not be negative")
        return None
    if key.shape == BOOL:
        if not isinstance(value, bool):
            return _("must be true or false, not %(type)s") % {
                "type": _type_name(value)
            }
        return None
    if key.shape == STR_LIST:
        if not isinstance(value, list):
            return _("must be a list, not %(type)s") % {"type": _type_name(value)}
        if key.non_empty and not value:
            return _("must list at least one value")
        return None
    if key.shape == MAPPING:
        if not isinstance(value, dict):
            return _("must be a mapping, not %(type)s") % {"type": _type_name(value)}
        return None
    if key.shape == ENTRY_LIST:
        if not isinstance(value, list):
            return _("must be a list, not %(type)s") % {"type": _type_name(value)}
        return None
    raise AssertionError(f"unknown shape {key.shape}")


def read_entry(
    data: Any, table: Table, path: str, errors: ErrorList
) -> dict[str, Any] | None:
    """The entry's values by model attribute, defaults filled in.

    Every unknown key, missing required key and misshapen value is added to
    `errors`; a key with a bad value is left out of the result so that later
    rules do not report it a second time. None if `data` is not a mapping.
    """
    if not isinstance(data, dict):
        errors.add(
            path, _("must be a mapping, not %(type)s") % {"type": _type_name(data)}
        )
        return None
    values: dict[str, Any] = {}
    for name in data:
        if name not in table.keys:
            errors.add(
                _join(path, str(name)),
                _("unknown key; allowed: %(keys)s") % {"keys": ", ".join(table.keys)},
            )
    for name, key in table.keys.items():
        where = _join(path, name)
        value = data.get(name)
        if value is None:
            if key.required:
                errors.add(where, _("is required"))
            else:
                values[key.attribute] = (
                    list(key.default) if isinstance(key.default, tuple) else key.default
                )
            continue
        problem = _check(value, key, table)
        if problem:
            errors.add(where, problem)
            continue
        if key.shape == STR_LIST:
            bad = [i for i, item in enumerate(value) if not isinstance(item, str)]
            for index in bad:
                errors.add(f"{where}[{index}]", _("must be a string"))
            if bad:
                continue
        values[key.attribute] = value
    return values


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def entries(
    values: dict[str, Any], attribute: str, path: str, name: str
) -> Iterable[tuple[str, Any]]:
    """(path, raw entry) for each item of a list of entries."""
    for index, item in enumerate(values.get(attribute) or []):
        yield f"{_join(path, name)}[{index}]", item
