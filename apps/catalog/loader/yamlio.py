"""Reading YAML strictly: syntax errors and repeated keys name their line."""

from collections.abc import Hashable
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _

from apps.catalog.loader.errors import ErrorList


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a mapping key given twice.

    PyYAML keeps the last value silently; in a catalog that would hide a
    program's first legal basis or retention period.
    """


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict:
    loader.flatten_mapping(node)
    seen: set[Any] = set()
    for key_node, _value in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, Hashable):
            break  # construct_mapping below refuses it, naming its line
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                _("key %(key)r is given twice in this mapping") % {"key": key},
                key_node.start_mark,
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=True)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping
)


def read_yaml(path: Path, errors: ErrorList) -> Any:
    """The document in `path`, or None after adding the reason to `errors`."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        errors.add("", _("cannot be read: %(reason)s") % {"reason": exc.strerror})
        return None
    except UnicodeDecodeError:
        errors.add("", _("is not UTF-8 text"))
        return None
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 (a SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else "?"
        reason = " ".join(p for p in (exc.context, exc.problem) if p)
        errors.add(_("line %(line)s") % {"line": line}, reason)
    except yaml.YAMLError as exc:
        errors.add("", str(exc))
    return None
