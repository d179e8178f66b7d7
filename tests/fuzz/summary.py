"""Counts of fuzzed cases, per section and operation, for the CI log.

Each test records what it sent and how it ended; at the end of the session
the counts go to $CANDOR_VAR_DIR/fuzz-summary.json and to the terminal, so
the figures the issue asks for come from the run itself.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path

# section -> operation -> outcome -> count
_counts: dict[str, dict[str, dict[str, int]]] = defaultdict(
    lambda: defaultdict(lambda: defaultdict(int))
)


def record(section: str, operation: str, outcome: str) -> None:
    _counts[section][operation][outcome] += 1


def as_dict() -> dict:
    return {
        section: {
            op: dict(sorted(outcomes.items())) for op, outcomes in sorted(ops.items())
        }
        for section, ops in sorted(_counts.items())
    }


def total_cases() -> int:
    return sum(
        n
        for ops in _counts.values()
        for outcomes in ops.values()
        for n in outcomes.values()
    )


def summary_path() -> Path:
    return Path(os.environ.get("CANDOR_VAR_DIR", "var")) / "fuzz-summary.json"


def summary_write() -> Path | None:
    if not _counts:
        return None
    path = summary_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"total_cases": total_cases(), "sections": as_dict()}
    path.write_text(json.dumps(payload, indent=2, sort_keys=True))
    return path
