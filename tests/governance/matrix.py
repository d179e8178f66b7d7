"""Who may use every named URL (outside the admin), per role, for their own
object and for another's. tests/governance/test_permission_matrix.py checks
each cell against the running site; a URL missing here fails that test.

`allowed` lists the roles that succeed on their own object (or on the page,
when it has no object); `allowed_other` those that succeed on another
person's object (None: the page has no object). Everyone else gets `denied`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ROLE_NAMES = (
    "employee",
    "manager",
    "hr",
    "privacy_officer",
    "dpo",
    "security_investigator",
    "auditor",
    "regulator",
)
ALL = frozenset(ROLE_NAMES)
NOBODY: frozenset[str] = frozenset()
OPENERS = frozenset({"privacy_officer", "security_investigator"})
DPO = frozenset({"dpo"})
REPORT_READERS = frozenset({"privacy_officer", "dpo", "auditor", "regulator"})
HOLD_READERS = frozenset({"privacy_officer", "dpo", "auditor"})
HOLD_MANAGERS = frozenset({"privacy_officer", "dpo"})
# Roles with the aggregate-reports capability (apps.governance.roles).
RATE_READERS = frozenset(
    {"hr", "manager", "privacy_officer", "dpo", "auditor", "regulator"}
)


@dataclass(frozen=True)
class Rule:
    method: str = "get"
    allowed: frozenset[str] = ALL
    allowed_other: frozenset[str] | None = None
    ok: int = 200
    denied: int = 404
    anonymous: int = 302
    wrong_method: str = "post"
    data: dict = field(default_factory=dict)


def action(allowed, allowed_other=None, **data) -> Rule:
    """A POST that redirects after success."""
    return Rule(
        method="post",
        allowed=allowed,
        allowed_other=allowed_other,
        ok=302,
        wrong_method="get",
        data=data,
    )


MATRIX: dict[str, Rule] = {
    # Sign-in pages.
    "login": Rule(anonymous=200, wrong_method="delete"),
    "logout": Rule(method="post", ok=302, wrong_method="get"),
    # An employee's own data (apps/people).
    "people:my_data": Rule(),
    "people:subject_dataset": Rule(allowed_other=NOBODY),
    "people:subject_file": Rule(allowed_other=NOBODY),
    # Who looked at my data (apps/audit).
    "audit:my_access_log": Rule(),
    # Consent (apps/consent): everyone decides for themselves only; a receipt
    # is its employee's alone.
    "consent:my_choices": Rule(),
    "consent:rates": Rule(allowed=RATE_READERS),
    "consent:receipt": Rule(allowed_other=NOBODY),
    "consent:grant": action(ALL, notice_version=1),
    "consent:withdraw": action(ALL),
    # Collectors' API: bearer tokens, never sessions.
    "consent:api_decisions": Rule(
        method="post", allowed=NOBODY, denied=401, anonymous=401, wrong_method="get"
    ),
    "consent:api_changes": Rule(allowed=NOBODY, denied=401, anonymous=401),
    "consent:api_ping": Rule(anonymous=200, wrong_method="put"),
    # Governance.
    "governance:case_list": Rule(allowed=OPENERS),
    "governance:case_new": Rule(allowed=OPENERS, wrong_method="put"),
    "governance:case_detail": Rule(allowed=OPENERS | DPO, allowed_other=DPO),
    "governance:case_close": action(OPENERS | DPO, DPO, reason="Done"),
    "governance:case_queue": Rule(allowed=DPO),
    "governance:case_approve": action(NOBODY, DPO),
    "governance:case_reject": action(NOBODY, DPO, reason="Not needed"),
    "governance:exposure": Rule(allowed=REPORT_READERS),
    "governance:exposure_csv": Rule(allowed=REPORT_READERS),
    "governance:hold_list": Rule(allowed=HOLD_READERS),
    "governance:hold_new": Rule(allowed=HOLD_MANAGERS, wrong_method="put"),
    "governance:hold_release": action(HOLD_MANAGERS, HOLD_MANAGERS, reason="Over"),
    "governance:review_list": Rule(allowed=REPORT_READERS),
    "governance:review_csv": Rule(allowed=REPORT_READERS),
    "governance:my_review_items": Rule(),
    "governance:review_item_decision": action(ALL, NOBODY, decision="recertify"),
    "governance:retention_runs": Rule(allowed=REPORT_READERS),
}
