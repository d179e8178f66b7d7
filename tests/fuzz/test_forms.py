"""Hypothesis against every form the employee and staff pages post.

Arbitrary text, unicode, huge inputs and missing fields: the page answers
200 (the form again, with errors) or 302 (done, or sent elsewhere), never a
500; and when it shows the form again, nothing was written.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.catalog.models import Dataset
from apps.consent.models import ConsentEvent
from apps.governance import forms as governance_forms
from apps.governance.models import Case, LegalHold
from apps.rights import forms as rights_forms
from apps.rights.models import Request, RequestMessage, RequestTransition
from tests.fuzz import summary
from tests.fuzz.world import OFFICER
from tests.governance.conftest import make_user

pytestmark = pytest.mark.django_db

WRITES = [Request, RequestTransition, RequestMessage, ConsentEvent, Case, LegalHold]

# Text a person could type or paste, and text nobody should: control and
# NUL characters, every plane, and far past every max_length.
TEXT = st.one_of(
    st.text(max_size=40),
    st.text(min_size=1, max_size=8).map(lambda s: s * 1000),
    st.just("x" * 100_000),
    st.just(""),
)
DATES = st.one_of(
    TEXT,
    st.sampled_from(
        ["2026-11-01T09:00", "0001-01-01T00:00", "9999-12-31T23:59", "2026-02-30T10:00"]
    ),
)


@dataclass
class Target:
    name: str
    who: str  # an identity in the fuzz world, or a role for make_user
    url: str
    fields: dict  # field name -> strategy of its value (or a list of values)
    # Besides 200 and 302: a one-click form whose value names an object
    # answers 404 when it names none (by design).
    also: tuple[int, ...] = ()
    # The page's form class (built for this data): when it refuses the
    # data, nothing may be written whatever the page answers.
    form: object = None


def _targets(world) -> list[Target]:
    alice = world.identities["alice"]
    access, erasure = alice.request_ids
    bob_erasure = world.identities["bob"].request_ids[1]
    pks = [str(pk) for pk in Dataset.objects.values_list("pk", flat=True)]
    datasets = st.lists(st.one_of(st.sampled_from(pks), TEXT), max_size=3)

    def of(*valid):
        return st.one_of(st.sampled_from(valid), TEXT)

    reason = {"reason": TEXT}
    every = list(Dataset.objects.all())

    def form(cls, **kwargs):
        return lambda data: cls(data, **kwargs)

    return [
        Target(
            "file a request",
            "alice",
            reverse("rights:request_new"),
            form=form(rights_forms.RequestForm, datasets=every),
            fields={
                "kind": of(
                    "access", "erasure", "rectification", "objection", "restriction"
                ),
                "scope": of("all", "chosen"),
                "datasets": datasets,
                "text": TEXT,
                "record": TEXT,
                "changes": st.one_of(TEXT, st.just("typed_text: fixed\nnope")),
            },
        ),
        Target(
            "message the team",
            "alice",
            reverse("rights:request_message", args=[erasure]),
            {"body": TEXT},
            form=form(rights_forms.MessageForm),
        ),
        Target(
            "withdraw",
            "alice",
            reverse("rights:request_withdraw", args=[access]),
            reason,
            form=form(rights_forms.WithdrawForm),
        ),
        Target(
            "grant consent",
            "alice",
            reverse("consent:grant", args=["ai_training"]),
            {"notice_version": of("1", "0", "-1", "99999999999999999999")},
            also=(404,),
        ),
        Target(
            "withdraw consent",
            "alice",
            reverse("consent:withdraw", args=["ai_training"]),
            {"erase": of("on", "")},
        ),
        *[
            Target(
                f"officer {step}",
                OFFICER,
                reverse(f"rights:officer_{step}", args=[bob_erasure]),
                fields,
                form=form(form_class, **extra),
            )
            for step, fields, form_class, extra in [
                ("refuse", reason, rights_forms.ReasonForm, {}),
                ("approve", reason, rights_forms.OptionalReasonForm, {}),
                ("ask", {"question": TEXT}, rights_forms.QuestionForm, {}),
                ("extend", reason, rights_forms.ReasonForm, {}),
                ("message", {"body": TEXT}, rights_forms.MessageForm, {}),
                ("confirm_identity", reason, rights_forms.ReasonForm, {}),
                (
                    "split",
                    {"datasets": datasets, "reason": TEXT},
                    rights_forms.SplitForm,
                    {"datasets": every},
                ),
                (
                    "objection",
                    {"upheld": of("yes", "no"), "reasoning": TEXT},
                    rights_forms.ObjectionForm,
                    {},
                ),
            ]
        ],
        Target(
            "open a case",
            "security_investigator",
            reverse("governance:case_new"),
            form=form(governance_forms.CaseForm),
            fields={
                "subject": of("E00001", "bob@example.com"),
                "datasets": datasets,
                "window_start": DATES,
                "window_end": DATES,
                "justification": TEXT,
                "notify_delay_days": of("0", "365", "366", "-1", "1e9"),
                "notify_delay_reason": TEXT,
            },
        ),
        Target(
            "place a legal hold",
            "dpo",
            reverse("governance:hold_new"),
            form=form(governance_forms.LegalHoldForm),
            fields={
                "employee": of("E00002", "alice@example.com"),
                "all_datasets": of("on"),
                "datasets": datasets,
                "reason": TEXT,
                "ends_at": DATES,
            },
        ),
    ]


def _counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in WRITES)


def _sign_in(client, world, who: str):
    identity = world.identities.get(who)
    user = identity.user if identity else make_user(f"fz-{who}", who)
    client.force_login(user)


@pytest.fixture
def staff_without_second_factor(settings):
    # Two-factor sign-in has tests of its own (tests/accounts); here the
    # forms behind it are fuzzed, so staff sessions count as verified.
    settings.ACCOUNTS_REQUIRE_STAFF_2FA = False


@pytest.mark.parametrize("index", range(15))
def test_it_never_fails_on_a_posted_form(
    index, client, fuzz_world, staff_without_second_factor
):
    targets = _targets(fuzz_world)
    assert len(targets) == 15  # a form added here needs its index range grown
    target = targets[index]
    _sign_in(client, fuzz_world, target.who)

    @settings(max_examples=20)
    @given(data=st.fixed_dictionaries({}, optional=target.fields))
    def run(data):
        before = _counts()
        refused = target.form is not None and not target.form(data).is_valid()
        response = client.post(target.url, data)
        status = response.status_code
        assert status in (200, 302, *target.also), (target.name, status, data)
        # A redirect to sign-in or two-factor would mean the view never ran.
        assert "/accounts/" not in response.get("Location", ""), response["Location"]
        if refused:
            assert _counts() == before, (target.name, "invalid, yet written", data)
        if status != 302:
            # The form again, with its errors: nothing written.
            assert _counts() == before, (target.name, data)
            summary.record(
                "forms", target.name, "re-shown" if status == 200 else str(status)
            )
        else:
            summary.record("forms", target.name, "302 refused" if refused else "302")

    run()
