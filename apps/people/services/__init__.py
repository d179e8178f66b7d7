"""Writes about people. One module per job; the public names are here."""

from apps.people.services.roster import (
    ROSTER_COLUMNS,
    RosterError,
    RosterSummary,
    roster_import,
)

__all__ = ["ROSTER_COLUMNS", "RosterError", "RosterSummary", "roster_import"]
