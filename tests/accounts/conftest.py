"""Sign-in fixtures: the role groups, a staff member with a password, and a
real OpenID provider on 127.0.0.1 (tests/accounts/provider.py)."""

import pytest

from apps.governance.services.roles import roles_sync
from tests.accounts.helpers import give_role
from tests.accounts.provider import Provider
from tests.conftest import make_employee


@pytest.fixture
def roles(db):
    roles_sync()


@pytest.fixture
def officer(roles):
    """Olga, a privacy officer with a password (staff: two-factor applies)."""
    return give_role(make_employee("olga", number="S00001").user, "privacy_officer")


@pytest.fixture
def dpo(roles):
    return give_role(make_employee("dora", number="S00002").user, "dpo")


@pytest.fixture(scope="session")
def _provider():
    provider = Provider().start()
    yield provider
    provider.stop()


@pytest.fixture
def provider(_provider, settings, roles):
    """The provider, reset, with Candor's settings pointing at it."""
    _provider.person, _provider.amr, _provider.tamper = {}, ["pwd"], ""
    _provider.authorize_requests.clear()
    for name, value in _provider.settings().items():
        setattr(settings, name, value)
    settings.OIDC_GROUP_ROLES = {
        "privacy-team": "privacy_officer",
        "dpo-office": "dpo",
        "admins": "superuser",
    }
    return _provider


@pytest.fixture(autouse=True)
def _staff_two_factor_on(settings):
    """These tests are about sign-in: the requirement is on whatever the other
    suites choose."""
    settings.ACCOUNTS_REQUIRE_STAFF_2FA = True
