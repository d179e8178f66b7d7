"""Counts on "My data" are cached briefly in the configured cache backend."""

import uuid

import pytest
from django.core.cache import cache
from django.db import connections
from django.urls import reverse

from apps.governance.gateway import summary_cache_key
from tests.conftest import CONFIGURED_CACHES
from tests.monitoring_fixtures import EVENTS_TABLE

pytestmark = pytest.mark.django_db(databases=["default", "telemetry"], transaction=True)


@pytest.fixture
def configured_cache(settings):
    """The real backend (Redis in CI), under a prefix no other test uses."""
    caches = {"default": {**CONFIGURED_CACHES["default"]}}
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = caches
    return caches["default"]["BACKEND"]


def keystroke_count(client) -> int:
    response = client.get(reverse("people:my_data"))
    results = response.context["sections"][0]["datasets"]
    return next(r.summary.count for r in results if r.dataset.key == "keystrokes")


def test_counts_are_reused_until_the_cache_expires(
    client, alice, catalog, configured_cache, settings
):
    client.force_login(alice.user)
    assert keystroke_count(client) == 3
    with connections["telemetry"].cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {EVENTS_TABLE} VALUES (99, 'SN-ALICE-1', %s, 'new')",
            ["2026-11-04 09:00:00"],
        )
    assert keystroke_count(client) == 3  # served from the cache

    cache.delete(summary_cache_key(alice, catalog["keystrokes"]))
    assert keystroke_count(client) == 4
