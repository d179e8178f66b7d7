"""Key patterns of Redis datasets: whose keys a pattern reaches, and nobody else's.

A dataset's location is a Redis glob with one "{identifier}" in it, such as
"presence:{identifier}:*". The text before the placeholder is literal, and
the character right after it (the separator) is literal too, so that the
pattern of "alice" can never reach "alice2"'s keys. An identifier value is
escaped before it goes into a pattern (it may hold "*", "?" or "["), and a
value that holds the separator cannot be served at all: "alice:x"'s keys
would also be reached by the pattern of "alice".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

PLACEHOLDER = "{identifier}"
# Characters with a meaning in a Redis glob (SCAN MATCH, KEYS).
GLOB_SPECIAL = frozenset("*?[]\\")


def glob_escape(value: str) -> str:
    """`value` as a Redis glob that matches exactly itself."""
    return "".join("\\" + c if c in GLOB_SPECIAL else c for c in value)


def location_problem(location: str) -> str | None:
    """Why a location cannot be a Redis dataset's key pattern, or None."""
    values = {"ph": PLACEHOLDER}
    if location.count(PLACEHOLDER) != 1:
        return _("must contain %(ph)s exactly once") % values
    prefix, _ph, suffix = location.partition(PLACEHOLDER)
    if any(c in GLOB_SPECIAL for c in prefix):
        return _("must have only literal text before %(ph)s (no * ? [ ] \\)") % values
    if suffix and suffix[0] in GLOB_SPECIAL:
        return (
            _(
                "must follow %(ph)s with a literal separator such as ':' (or end "
                "there), or one person's pattern would reach another's keys"
            )
            % values
        )
    return None


@dataclass(frozen=True)
class KeyPattern:
    """A dataset's key pattern, split around its placeholder."""

    prefix: str
    suffix: str

    @classmethod
    def parse(cls, location: str) -> KeyPattern:
        """ValueError (with the reason) unless `location` is a valid pattern."""
        problem = location_problem(location)
        if problem:
            raise ValueError(problem)
        prefix, _ph, suffix = location.partition(PLACEHOLDER)
        return cls(prefix=prefix, suffix=suffix)

    @property
    def separator(self) -> str:
        return self.suffix[:1]

    def accepts(self, value: str) -> bool:
        """Whether an identifier value may be put in the pattern at all."""
        return bool(value) and not (self.separator and self.separator in value)

    def for_identifier(self, value: str) -> str:
        """The SCAN pattern of one identifier's keys."""
        return self.prefix + glob_escape(value) + self.suffix

    def for_everyone(self) -> str:
        """The SCAN pattern of every subject's keys (for retention)."""
        return self.prefix + "*" + self.suffix

    def owner_is(self, key: str, value: str) -> bool:
        """Whether `key` is one of `value`'s keys in this dataset."""
        head = self.prefix + value
        if not self.accepts(value) or not key.startswith(head):
            return False
        return _glob_regex(self.suffix).fullmatch(key[len(head) :]) is not None

    def replace_identifier(self, key: str, value: str, replacement: str) -> str:
        """`key` (one of `value`'s) with `replacement` where the identifier was."""
        return self.prefix + replacement + key[len(self.prefix) + len(value) :]

    def location_of(self, key: str) -> str:
        """The prefix a key is listed under: its text up to the first ':'."""
        return key.split(":", 1)[0]


def _glob_regex(glob: str) -> re.Pattern[str]:
    """A Redis glob (*, ?, [abc], [^a-c], backslash escapes) as a regex."""
    out: list[str] = []
    i, n = 0, len(glob)
    while i < n:
        c = glob[i]
        if c == "*":
            out.append(".*")
        elif c == "?":
            out.append(".")
        elif c == "\\" and i + 1 < n:
            i += 1
            out.append(re.escape(glob[i]))
        elif c == "[":
            i, item = _glob_class(glob, i + 1)
            out.append(item)
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out), re.DOTALL)


def _glob_class(glob: str, i: int) -> tuple[int, str]:
    """The character class starting at `i` (after "["): its end and its regex.

    Like Redis, an unclosed class runs to the end of the pattern.
    """
    n = len(glob)
    negate = i < n and glob[i] == "^"
    if negate:
        i += 1
    items: list[str] = []
    while i < n and glob[i] != "]":
        if glob[i] == "\\" and i + 1 < n:
            i += 1
            items.append(re.escape(glob[i]))
        elif i + 2 < n and glob[i + 1] == "-" and glob[i + 2] != "]":
            low, high = sorted((glob[i], glob[i + 2]))
            items.append(f"{re.escape(low)}-{re.escape(high)}")
            i += 2
        else:
            items.append(re.escape(glob[i]))
        i += 1
    if not items:
        return i, "." if negate else "(?!)"
    return i, "[" + ("^" if negate else "") + "".join(items) + "]"
