"""Rules a catalog entry must follow, shared by the catalog loader and the admin.

Each function returns the problems it finds instead of raising, so that the
loader can report every problem of a file at once and the admin can attach
each to the form field it concerns. A Problem names the model attribute
(`erasure_strategy`, not the file's `erasure`); callers translate.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from apps.catalog import taxonomy
from apps.catalog.models import ErasureStrategy, MaskStrategy, StoreKind
from apps.stores.redis_keys import location_problem as redis_location_problem

# How a store's connection may be named. Values name where the real setting
# lives (a Django setting, an environment variable, a database alias); the
# catalog never holds a URL, password or token itself.
CONNECTION_KEYS: dict[str, tuple[str, ...]] = {
    StoreKind.SQL: ("database_alias", "url_env", "url_setting"),
    StoreKind.FILES: ("root_setting", "root_env"),
    StoreKind.REDIS: ("url_env", "url_setting"),
}
# Other kinds take any `*_env` / `*_setting` names, and these: exactly one
# key of each group, and plain settings that are no secret.
REQUIRED_CONNECTION_KEYS: dict[str, tuple[tuple[str, ...], ...]] = {
    StoreKind.HTTP: (
        ("base_url_env", "base_url_setting"),
        ("secret_env", "secret_setting"),
    ),
}
PLAIN_CONNECTION_KEYS: dict[str, tuple[str, ...]] = {
    StoreKind.HTTP: ("timeout_seconds",),
    StoreKind.MANUAL: ("assignee_email",),
}
MAX_HTTP_TIMEOUT_SECONDS = 300
_NAME_SUFFIXES = ("_env", "_setting")
_SECRET_WORDS = (
    "password",
    "passwd",
    "secret",
    "token",
    "url",
    "dsn",
    "key",
    "credential",
    "auth",
)
_ENV_OR_SETTING_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
_ALIAS_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

IDENTIFIER_PLACEHOLDER = "{identifier}"


class Problem(NamedTuple):
    """One broken rule: the attribute it concerns and why, in words.

    `index` is the position in a list attribute (a field of a dataset, a key
    in a list of taxonomy keys), or None.
    """

    attribute: str
    message: str
    index: int | None = None


def one_of(value: Any, allowed: Iterable[str]) -> str:
    """The message for a value outside a fixed set of choices."""
    return _("%(value)r is not one of %(allowed)s") % {
        "value": value,
        "allowed": ", ".join(allowed),
    }


def taxonomy_problems(
    attribute: str, kind: taxonomy.TaxonomyKind, keys: Sequence[str]
) -> list[Problem]:
    """Every key of `keys` that is not a `kind` of the taxonomy."""
    labels = {
        taxonomy.TaxonomyKind.DATA_CATEGORY: _("data category"),
        taxonomy.TaxonomyKind.DATA_USE: _("data use"),
        taxonomy.TaxonomyKind.DATA_SUBJECT: _("data subject"),
    }
    problems = []
    seen: set[str] = set()
    for index, key in enumerate(keys):
        if not isinstance(key, str):
            message = _("must be a string")
        elif not taxonomy.is_valid(kind, key):
            message = _("%(key)r is not a known %(label)s") % {
                "key": key,
                "label": labels[kind],
            }
        elif key in seen:
            message = _("%(key)r is listed twice") % {"key": key}
        else:
            seen.add(key)
            continue
        problems.append(Problem(attribute, message, index))
    return problems


def _looks_secret(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in _SECRET_WORDS)


def connection_problems(store_kind: str, connection: Any) -> list[Problem]:
    """What is wrong with a store's connection dict for a store of this kind.

    SQL, file and Redis stores take exactly one of their allowed keys. Other
    kinds take any number of `*_env` / `*_setting` names, exactly one of each
    REQUIRED_CONNECTION_KEYS group, and their PLAIN_CONNECTION_KEYS. Every
    other value must be a name (of a variable, setting or database alias),
    never the secret itself.
    """
    attribute = "connection"
    if not isinstance(connection, Mapping):
        return [Problem(attribute, _("must be a mapping"))]
    problems = []
    allowed = CONNECTION_KEYS.get(store_kind)
    for name, value in connection.items():
        where = f"{attribute}.{name}"
        if name in PLAIN_CONNECTION_KEYS.get(store_kind, ()):
            message = _plain_connection_problem(name, value)
            if message:
                problems.append(Problem(where, message))
            continue
        if allowed is not None and name not in allowed:
            problems.append(
                Problem(
                    where,
                    _("not allowed for a %(kind)s store; use one of %(allowed)s")
                    % {"kind": store_kind, "allowed": ", ".join(allowed)},
                )
            )
            continue
        if allowed is None and not str(name).endswith(_NAME_SUFFIXES):
            if _looks_secret(str(name)):
                message = _(
                    "looks like a secret value: the catalog names where a "
                    "secret lives (%(name)s_env or %(name)s_setting), never "
                    "the secret itself"
                ) % {"name": name}
            else:
                message = _("must end in _env or _setting")
            problems.append(Problem(where, message))
            continue
        pattern = _ALIAS_NAME if name == "database_alias" else _ENV_OR_SETTING_NAME
        if not isinstance(value, str) or not pattern.match(value):
            if name == "database_alias":
                message = _("must name a database alias (letters, digits, _)")
            else:
                message = _(
                    "must name an environment variable or setting "
                    "(A-Z, 0-9, _), not hold a value"
                )
            problems.append(Problem(where, message))
    if allowed is not None and len(connection) != 1:
        problems.append(
            Problem(
                attribute,
                _("a %(kind)s store needs exactly one of %(allowed)s")
                % {"kind": store_kind, "allowed": ", ".join(allowed)},
            )
        )
    for group in REQUIRED_CONNECTION_KEYS.get(store_kind, ()):
        if sum(name in connection for name in group) != 1:
            problems.append(
                Problem(
                    attribute,
                    _("a %(kind)s store needs exactly one of %(allowed)s")
                    % {"kind": store_kind, "allowed": ", ".join(group)},
                )
            )
    return problems


def _plain_connection_problem(name: str, value: Any) -> str | None:
    """Why a plain connection value (not a name) is wrong, or None."""
    if name == "timeout_seconds":
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not 0 < value <= MAX_HTTP_TIMEOUT_SECONDS
        ):
            return _("must be a number of seconds above 0 and at most %(max)d") % {
                "max": MAX_HTTP_TIMEOUT_SECONDS
            }
        return None
    try:
        validate_email(value if isinstance(value, str) else "")
    except ValidationError:
        return _("must be an e-mail address")
    return None


def default_erasure(store_kind: str) -> str:
    """Files are erased by deleting them; records by deleting the rows."""
    if store_kind == StoreKind.FILES:
        return ErasureStrategy.DELETE_FILES
    return ErasureStrategy.DELETE


def dataset_problems(
    *,
    store_kind: str,
    location: str,
    subject_field: str,
    file_pattern: str,
    erasure_strategy: str,
) -> list[Problem]:
    """Rules that tie a dataset's settings to the kind of its store."""
    problems = []
    if store_kind == StoreKind.SQL and not subject_field:
        problems.append(
            Problem("subject_field", _("is required for a dataset in a SQL store"))
        )
    if store_kind == StoreKind.REDIS:
        # A key pattern that could reach another person's keys is refused.
        problem = redis_location_problem(location or "")
        if problem:
            problems.append(Problem("location", problem))
    if store_kind == StoreKind.FILES:
        if IDENTIFIER_PLACEHOLDER not in (location or ""):
            problems.append(
                Problem(
                    "location",
                    _("a files dataset's location must contain %(ph)s")
                    % {"ph": IDENTIFIER_PLACEHOLDER},
                )
            )
        if not file_pattern:
            problems.append(
                Problem("file_pattern", _("is required for a dataset in a files store"))
            )
        if erasure_strategy in (ErasureStrategy.DELETE, ErasureStrategy.MASK):
            problems.append(
                Problem(
                    "erasure_strategy",
                    _("%(value)r cannot erase files; use delete_files")
                    % {"value": erasure_strategy},
                )
            )
    elif erasure_strategy == ErasureStrategy.DELETE_FILES:
        problems.append(
            Problem(
                "erasure_strategy",
                _("delete_files is only for datasets in a files store"),
            )
        )
    return problems


def field_problems(
    *,
    erasure_strategy: str,
    subject_field: str,
    fields: Sequence[tuple[str, str]],
) -> list[Problem]:
    """Rules on a dataset's fields, given as (name, mask) pairs in order.

    A keyed hash keeps records linkable, so only the subject field may be
    hashed. Masking instead of deleting only erases a person if the field
    that names them is masked.
    """
    problems = []
    seen: set[str] = set()
    for index, (name, mask) in enumerate(fields):
        if name in seen:
            problems.append(
                Problem("name", _("%(name)r is listed twice") % {"name": name}, index)
            )
        seen.add(name)
        if mask == MaskStrategy.HASH and name != subject_field:
            problems.append(
                Problem(
                    "mask",
                    _("hash is only allowed on the subject field (%(subject)r)")
                    % {"subject": subject_field or ""},
                    index,
                )
            )
    if erasure_strategy == ErasureStrategy.MASK and not any(
        name == subject_field and mask for name, mask in fields
    ):
        problems.append(
            Problem(
                "erasure_strategy",
                _(
                    "mask erasure needs a masked field for the subject field "
                    "(%(subject)r), or the masked records still name the person"
                )
                % {"subject": subject_field or ""},
            )
        )
    return problems
