"""What a seed run was asked for; identical params mean identical data."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

# Bump when the generated data changes for the same arguments, so that an
# existing database seeded by older code is not mistaken for a current one.
GENERATOR_VERSION = 1

# The seeded window ends on a fixed day rather than today: the same arguments
# must give the same rows whenever they are run. --until moves it.
DEFAULT_UNTIL = date(2026, 11, 1)


@dataclass(frozen=True, slots=True)
class SeedParams:
    employees: int
    days: int
    seed: int
    captures_per_day: int = 1
    until: date = DEFAULT_UNTIL

    def __post_init__(self) -> None:
        if self.employees < 1:
            raise ValueError("employees must be at least 1")
        if self.days < 1:
            raise ValueError("days must be at least 1")
        if self.captures_per_day < 0:
            raise ValueError("captures_per_day must not be negative")

    @property
    def window_start(self) -> date:
        """The first seeded day; the window is ``days`` days ending on ``until``."""
        return self.until - timedelta(days=self.days - 1)

    def day_starts(self) -> list[datetime]:
        """Midnight (UTC) of each day of the window, oldest first."""
        first = datetime.combine(self.window_start, datetime.min.time(), tzinfo=UTC)
        return [first + timedelta(days=n) for n in range(self.days)]

    def as_json(self) -> dict:
        """The form stored on SeedRun and compared to decide idempotency."""
        return {
            "employees": self.employees,
            "days": self.days,
            "seed": self.seed,
            "captures_per_day": self.captures_per_day,
            "until": self.until.isoformat(),
            "generator": GENERATOR_VERSION,
        }
