"""The valid data categories, data uses and data subjects of the catalog.

The vocabulary is fideslang's DEFAULT_TAXONOMY plus Candor's workplace
monitoring extensions of the `user.` category tree. It is built on first use
and cached for the life of the process: importing fideslang and walking its
taxonomy is not free, and models must not pay for it when they are imported.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from django.utils.translation import gettext_lazy as _


class TaxonomyKind(StrEnum):
    DATA_CATEGORY = "data_category"
    DATA_USE = "data_use"
    DATA_SUBJECT = "data_subject"


@dataclass(frozen=True)
class Term:
    """One key of the taxonomy and the words the pages show for it."""

    key: str
    name: str
    description: str


# What monitoring collects that fideslang has no key for. Each parent
# (user.behavior, user.content, user.workplace) is a fideslang key.
MONITORING_EXTENSIONS: tuple[tuple[str, str, str], ...] = (
    (
        "user.behavior.keystrokes",
        _("Keystrokes"),
        _("Keys typed on a monitored device, with their timing."),
    ),
    (
        "user.behavior.pointer_movement",
        _("Pointer movement"),
        _("Mouse or trackpad movements and clicks on a monitored device."),
    ),
    (
        "user.behavior.app_usage",
        _("Application usage"),
        _("Which applications and windows were in use, and for how long."),
    ),
    (
        "user.content.screen_capture",
        _("Screen captures"),
        _("Images of what a monitored screen displayed."),
    ),
    (
        "user.content.ai_prompt",
        _("AI prompts"),
        _("Prompts typed into AI tools and the answers they returned."),
    ),
    (
        "user.content.chat_transcript",
        _("Chat transcripts"),
        _("Messages written in workplace chat."),
    ),
    (
        "user.content.meeting_transcript",
        _("Meeting transcripts"),
        _("Recordings or transcripts of what was said in meetings."),
    ),
    (
        "user.workplace.performance_notes",
        _("Performance notes"),
        _("Notes and scores about a person's work performance."),
    ),
    (
        "user.content.ai_training_corpus",
        _("AI training corpus"),
        _("Monitoring data copied into a corpus used to train AI systems."),
    ),
)


@cache
def _terms() -> dict[TaxonomyKind, dict[str, Term]]:
    # Imported here, not at module level: see the module docstring.
    from fideslang import DEFAULT_TAXONOMY

    terms: dict[TaxonomyKind, dict[str, Term]] = {}
    for kind in TaxonomyKind:
        terms[kind] = {
            item.fides_key: Term(
                key=item.fides_key,
                name=item.name or item.fides_key,
                description=item.description or "",
            )
            for item in getattr(DEFAULT_TAXONOMY, kind.value)
        }
    for key, name, description in MONITORING_EXTENSIONS:
        terms[TaxonomyKind.DATA_CATEGORY][key] = Term(
            key=key, name=name, description=description
        )
    return terms


def terms(kind: TaxonomyKind) -> dict[str, Term]:
    """Every valid key of `kind`, mapped to its term."""
    return _terms()[kind]


def is_valid(kind: TaxonomyKind, key: str) -> bool:
    return key in _terms()[kind]


def unknown_keys(kind: TaxonomyKind, keys: Iterable[str]) -> list[str]:
    """The keys that are not in the taxonomy, in the order given."""
    known = _terms()[kind]
    return [key for key in keys if key not in known]


def display_name(key: str, kind: TaxonomyKind | None = None) -> str:
    """The human-readable name of a key ("Keystrokes"), or the key itself.

    Without `kind`, categories are tried first, then uses, then subjects: the
    three trees share no keys, so the answer is the same.
    """
    kinds = [kind] if kind else list(TaxonomyKind)
    for each in kinds:
        term = _terms()[each].get(key)
        if term:
            return str(term.name)
    return key


def choices(kind: TaxonomyKind) -> list[tuple[str, str]]:
    """(key, "key: name") pairs for forms, sorted by key."""
    return [(k, f"{k}: {t.name}") for k, t in sorted(_terms()[kind].items())]
