"""Every view is private unless marked public: walk every URL pattern and
ask for it anonymously. A new view that is public by mistake fails here."""

import re
import uuid

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import (
    IntConverter,
    PathConverter,
    SlugConverter,
    StringConverter,
    UUIDConverter,
)
from django.urls.resolvers import RoutePattern

# Public on purpose, each with its reason (docs/security.md).
PUBLIC = {
    # The sign-in page, and single sign-on's start and return (apps.accounts).
    "login",
    "oidc_authentication_init",
    "oidc_authentication_callback",
    # The admin's own sign-in form.
    "admin:login",
    # Collectors' consent API: a bearer token, checked in the view (401).
    "consent:api_decisions",
    "consent:api_changes",
    "consent:api_ping",
    # The OpenAPI schema and its docs page: they describe the API, hold no
    # personal data, and let integrators and the fuzzers read the contract.
    "api:schema",
    "api:docs",
}
# The REST API: DRF marks its views public to this middleware and
# authenticates inside (tokens); REST_FRAMEWORK's default permission denies.
API_NAMESPACE = "api:"

SAMPLES = {
    IntConverter: "1",
    UUIDConverter: str(uuid.UUID(int=1)),
    SlugConverter: "x",
    StringConverter: "x",
    PathConverter: "x/y",
}


def _sample(pattern) -> str:
    """The pattern with sample arguments: converters from SAMPLES; a regex
    group by its first alternative (the admin's app list) or "x"."""
    text = str(pattern)
    if isinstance(pattern, RoutePattern):
        for group, converter in pattern.converters.items():
            text = re.sub(rf"<(\w+:)?{group}>", SAMPLES[type(converter)], text)
        return text
    text = re.sub(r"\(\?P<\w+>([\w-]+)(\|[^)]*)?\)", r"\1", text)
    text = re.sub(r"\(\?P<\w+>[^)]*\)", "x", text)
    return text.lstrip("^").rstrip("$").replace("\\", "")


def _walk(patterns, namespace="", prefix=""):
    """(name, sample URL, pattern) for every URL pattern, however nested."""
    for entry in patterns:
        route = prefix + _sample(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, inner, route)
        else:
            name = f"{namespace}{entry.name}" if entry.name else f"<unnamed {route}>"
            yield name, "/" + route, entry


def _patterns() -> list[tuple[str, str, URLPattern]]:
    return list(_walk(get_resolver().url_patterns))


def test_the_public_views_are_exactly_the_listed_ones():
    public = {
        name
        for name, _url, entry in _patterns()
        if not getattr(entry.callback, "login_required", True)
        and not name.startswith(API_NAMESPACE)
    }
    # DRF marks all its views public to the middleware; of those, only the
    # schema and its page do not authenticate (the others answer 401/403).
    public |= {n for n in PUBLIC if n.startswith(API_NAMESPACE)}
    assert public == PUBLIC


def test_the_api_denies_anonymous_by_default():
    assert settings.REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"] == [
        "rest_framework.permissions.IsAuthenticated"
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_an_anonymous_request_to_any_private_view_is_refused(client, method):
    # The admin sends to its own sign-in form (which sends to ours).
    sign_in = (reverse(settings.LOGIN_URL), reverse("admin:login"))
    checked, wrong = [], []
    for name, url, _entry in _patterns():
        if name in PUBLIC:
            continue
        response = getattr(client, method)(url)
        redirected = response.status_code == 302 and response["Location"].startswith(
            sign_in
        )
        if not (redirected or response.status_code in (401, 403)):
            wrong.append((name, url, response.status_code))
        checked.append(name)
    assert wrong == []
    # Every page, the admin and the API were asked.
    assert {"people:my_data", "admin:index", "api:rights_requests"} <= set(checked)
    assert len(checked) > 100


@pytest.mark.django_db
def test_the_public_views_answer_anonymous_callers(client):
    answers = {
        name: client.get(url).status_code
        for name, url, _entry in _patterns()
        if name in PUBLIC
    }
    assert answers["login"] == 200
    assert answers["api:schema"] == 200
    assert answers["api:docs"] == 200
    # The collectors' API wants its token; ping is the benchmark's floor.
    assert answers["consent:api_decisions"] == 405  # POST only
    assert answers["consent:api_changes"] == 401
    assert answers["consent:api_ping"] == 200
