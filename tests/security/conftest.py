"""Security fixtures: an officer (a staff role), and clients signed in."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from apps.governance.services.roles import roles_sync
from apps.people.models import User


@pytest.fixture
def officer(db) -> User:
    roles_sync()
    user = User.objects.create(username="olga@example.com", email="olga@example.com")
    user.groups.add(Group.objects.get(name="privacy_officer"))
    return user


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client
