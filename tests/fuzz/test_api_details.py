"""Hypothesis against the one free-form part of the rights API: the details
of a rectification ({"dataset", "record", "changes"}), stored as JSON.

Schemathesis draws arbitrary `details`, but rarely a rectification that
names a real dataset and field, where the details are kept; this aims
there. Any text, NUL and lone surrogates included: 201 or 400, never a
500, and a 400 files nothing. (NUL was a 500 on PostgreSQL before
RequestFileSerializer.validate_details.)
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.rights.models import Request
from apps.rights.services.lifecycle import request_withdraw
from tests.fuzz import summary

pytestmark = pytest.mark.django_db

# Any code point, surrogates too, and the two PostgreSQL cannot store.
ANY_TEXT = st.one_of(
    st.text(st.characters(codec=None), max_size=20),
    st.sampled_from(["\x00", "a\x00b", "\ud800", "\udfff x"]),
)
VALUE = st.one_of(
    ANY_TEXT, st.integers(), st.none(), st.lists(ANY_TEXT, max_size=2), st.booleans()
)
# Mostly a well-formed rectification (so the details reach the database),
# sometimes not.
DETAILS = st.fixed_dictionaries(
    {
        "dataset": st.one_of(
            st.just("keystrokes"),
            st.just("keystrokes"),
            st.sampled_from(["chat", "nope"]),
        ),
        "record": st.one_of(ANY_TEXT.map(lambda s: s + "r"), ANY_TEXT),
        "changes": st.one_of(
            st.fixed_dictionaries({"typed_text": VALUE}),
            st.fixed_dictionaries({"typed_text": VALUE}),
            st.dictionaries(st.sampled_from(["typed_text", "nope"]), VALUE, max_size=2),
            VALUE,
        ),
    },
    optional={"extra": VALUE},
)


def test_it_files_or_refuses_any_rectification(client, fuzz_world):
    alice = fuzz_world.identities["alice"]
    url = reverse("api:rights_requests")

    @settings(max_examples=60)
    @given(details=DETAILS)
    def run(details):
        before = Request.objects.count()
        response = client.post(
            url,
            {
                "kind": "rectification",
                "all_programs": False,
                "datasets": ["keystrokes", "chat"][
                    : 1 + (details["dataset"] == "chat")
                ],
                "details": details,
            },
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {alice.token}",
        )
        assert response.status_code in (201, 400), (response.status_code, details)
        if response.status_code == 400:
            assert Request.objects.count() == before
        else:
            # Withdraw it, so the next rectification is not a duplicate.
            filed = Request.objects.get(public_id=response.json()["id"])
            request_withdraw(request=filed, user=alice.user)
        summary.record("api", "rectification details", str(response.status_code))

    run()


def test_it_refuses_a_nul_in_the_details(client, fuzz_world):
    alice = fuzz_world.identities["alice"]
    before = Request.objects.count()

    response = client.post(
        reverse("api:rights_requests"),
        {
            "kind": "rectification",
            "all_programs": False,
            "datasets": ["keystrokes"],
            "details": {
                "dataset": "keystrokes",
                "record": "r\x00",
                "changes": {"typed_text": "x"},
            },
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {alice.token}",
    )

    assert response.status_code == 400
    assert "Null characters" in response.json()["details"][0]
    assert Request.objects.count() == before
