"""Template filters for showing catalog terms to people."""

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format

from apps.catalog.taxonomy import TaxonomyKind, display_name

register = template.Library()


@register.filter
def category_label(key: str) -> str:
    """A data category's readable name: "Keystrokes", not the taxonomy key."""
    return display_name(key, TaxonomyKind.DATA_CATEGORY)


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    """mapping[key] in a template (record values are keyed by column name)."""
    return mapping.get(key)


@register.filter
def record_value(value: Any) -> Any:
    """A stored value as a person reads it: times in full, to the second."""
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return date_format(value, "j M Y, H:i:s")
    return value
