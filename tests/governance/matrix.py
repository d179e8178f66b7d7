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
# Preparers see every bundle; a regulator, the bundles prepared for them.
BUNDLE_READERS = HOLD_MANAGERS | {"regulator"}
# Rights requests: officers handle them (governance.handle_requests).
REQUEST_HANDLERS = frozenset({"privacy_officer"})
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


def api_action(allowed, allowed_other=None, **data) -> Rule:
    """An API POST that answers 200 with the object; anonymous gets 401."""
    return Rule(
        method="post",
        allowed=allowed,
        allowed_other=allowed_other,
        anonymous=401,
        wrong_method="get",
        data=data,
    )


MATRIX: dict[str, Rule] = {
    # Sign-in pages.
    "login": Rule(anonymous=200, wrong_method="delete"),
    "logout": Rule(method="post", ok=302, wrong_method="get"),
    # Two-factor and step-up (apps/accounts): everyone signed in, for
    # themselves. The matrix signs people in verified, with a confirmed
    # device, as production requires: the second step, enrolment and the
    # recovery codes page (nothing new to show) send them back where they were.
    "two_factor_verify": Rule(ok=302, wrong_method="put"),
    "two_factor_setup": Rule(ok=302, wrong_method="put"),
    "two_factor_recovery_codes": Rule(ok=302, wrong_method="post"),
    "step_up": Rule(wrong_method="put"),
    # Single sign-on: 404 for everyone while OIDC is off (no client id).
    "oidc_authentication_init": Rule(
        allowed=NOBODY, anonymous=404, wrong_method="post"
    ),
    "oidc_authentication_callback": Rule(
        allowed=NOBODY, anonymous=404, wrong_method="post"
    ),
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
    # Reports (apps/reports): dashboards per role; records for report readers;
    # bundles for their preparers and, each, for the regulator they are for.
    "reports:officer_dashboard": Rule(allowed=frozenset({"privacy_officer"})),
    "reports:dpo_dashboard": Rule(allowed=DPO),
    "reports:hr_dashboard": Rule(allowed=RATE_READERS),
    "reports:ropa": Rule(allowed=REPORT_READERS),
    "reports:ropa_export": Rule(allowed=REPORT_READERS),
    "reports:request_records": Rule(allowed=REPORT_READERS),
    "reports:request_records_export": Rule(allowed=REPORT_READERS),
    "reports:request_metrics_export": Rule(allowed=REPORT_READERS),
    "reports:dpia_register": Rule(allowed=REPORT_READERS),
    "reports:dpia_update": action(HOLD_MANAGERS, status="in_progress"),
    "reports:bundle_list": Rule(allowed=BUNDLE_READERS),
    "reports:bundle_new": action(
        HOLD_MANAGERS,
        recipient="regulator@example.com",
        period_start="2026-01-01",
        period_end="2026-01-31",
    ),
    "reports:bundle_detail": Rule(allowed=BUNDLE_READERS, allowed_other=HOLD_MANAGERS),
    "reports:bundle_download": Rule(
        allowed=BUNDLE_READERS, allowed_other=HOLD_MANAGERS
    ),
    # Rights requests (apps/rights): a request is its employee's alone; the
    # certificate also an officer's; the queue and decisions officers' only.
    "rights:my_requests": Rule(),
    "rights:request_new": Rule(wrong_method="put"),
    "rights:request_detail": Rule(allowed_other=NOBODY),
    "rights:request_progress": Rule(allowed_other=NOBODY),
    "rights:request_message": action(ALL, NOBODY, body="Hello"),
    "rights:request_withdraw": action(ALL, NOBODY),
    "rights:certificate": Rule(allowed_other=REQUEST_HANDLERS),
    # An expired archive: its employee is told so (410), anyone else 404.
    "rights:download": Rule(ok=410, allowed_other=NOBODY),
    "rights:my_tasks": Rule(),
    "rights:task_confirm": action(ALL, REQUEST_HANDLERS, records=1, note="Done"),
    "rights:officer_queue": Rule(allowed=REQUEST_HANDLERS),
    "rights:officer_request": Rule(allowed=REQUEST_HANDLERS),
    "rights:officer_confirm_identity": action(REQUEST_HANDLERS, reason="Badge"),
    "rights:officer_approve": action(REQUEST_HANDLERS),
    "rights:officer_refuse": action(REQUEST_HANDLERS, reason="Unfounded"),
    "rights:officer_ask": action(REQUEST_HANDLERS, question="Which laptop?"),
    "rights:officer_extend": action(REQUEST_HANDLERS, reason="Many stores"),
    "rights:officer_split": action(REQUEST_HANDLERS, reason="Hold"),
    "rights:officer_message": action(REQUEST_HANDLERS, body="On it"),
    "rights:officer_objection": action(
        REQUEST_HANDLERS, upheld="no", reasoning="Security"
    ),
    "rights:officer_job_retry": action(REQUEST_HANDLERS),
    "rights:officer_job_abandon": action(REQUEST_HANDLERS, reason="Gone"),
    "rights:officer_restriction_lift": action(REQUEST_HANDLERS, reason="Verified"),
    # The API (apps/rights/api): the same rules; anonymous callers get 401.
    "api:schema": Rule(anonymous=200),
    "api:docs": Rule(anonymous=200),
    "api:rights_requests": Rule(anonymous=401, wrong_method="put"),
    "api:rights_request": Rule(allowed_other=NOBODY, anonymous=401),
    "api:rights_withdraw": api_action(ALL, NOBODY),
    "api:rights_messages": Rule(
        allowed_other=NOBODY, anonymous=401, wrong_method="put"
    ),
    "api:rights_download": Rule(ok=410, allowed_other=NOBODY, anonymous=401),
    "api:rights_download_file": Rule(ok=410, allowed_other=NOBODY, anonymous=401),
    "api:rights_queue": Rule(allowed=REQUEST_HANDLERS, anonymous=401),
    "api:rights_approve": api_action(REQUEST_HANDLERS),
    "api:rights_refuse": api_action(REQUEST_HANDLERS, reason="Unfounded"),
    "api:rights_extend": api_action(REQUEST_HANDLERS, reason="Many stores"),
    "api:rights_ask": api_action(REQUEST_HANDLERS, question="Which laptop?"),
    "api:rights_confirm_identity": api_action(REQUEST_HANDLERS, reason="Badge"),
}
