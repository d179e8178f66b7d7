"""Template filters for showing catalog terms to people."""

from typing import Any

from django import template

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
