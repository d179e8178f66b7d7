"""Rights fixtures: an officer, and a catalog light enough for lifecycle
tests (no store is read: filing a request only consults the catalog)."""

import pytest

from apps.catalog.models import Dataset, Field, Program, Store
from apps.governance.services.roles import roles_sync
from tests.governance.conftest import make_user


@pytest.fixture
def roles(db):
    roles_sync()


@pytest.fixture
def officer(roles):
    return make_user("olga", "privacy_officer", employee_number="S002")


@pytest.fixture
def light_catalog(db):
    """Two programs over one SQL store: keystrokes by device, chat by e-mail,
    and an AI corpus derived from chat (a copy a request must reach too)."""
    store = Store.objects.create(
        key="db", name="DB", kind="sql", connection={"database_alias": "telemetry"}
    )
    endpoint = Program.objects.create(
        key="endpoint",
        name="Endpoint monitoring",
        purpose="Security",
        legal_basis="legitimate_interests",
        data_subjects=["employee"],
        data_categories=["user.behavior.keystrokes"],
        data_uses=["essential.service.security"],
        retention_days=90,
        objection_allowed=True,
    )
    training = Program.objects.create(
        key="ai_training",
        name="AI training",
        purpose="Train models",
        legal_basis="consent",
        data_subjects=["employee"],
        data_categories=["user.content"],
        data_uses=["train.ai_system"],
        retention_days=365,
    )
    keystrokes = Dataset.objects.create(
        store=store,
        program=endpoint,
        key="keystrokes",
        name="Keystrokes",
        location="keys",
        subject_field="device_serial",
        identifier_kind="device_serial",
    )
    Field.objects.create(dataset=keystrokes, name="typed_text", data_category="x")
    chat = Dataset.objects.create(
        store=store,
        program=endpoint,
        key="chat",
        name="Chat",
        location="chat",
        subject_field="email",
        identifier_kind="email",
    )
    corpus = Dataset.objects.create(
        store=store,
        program=training,
        key="corpus",
        name="Training corpus",
        location="corpus",
        subject_field="email",
        identifier_kind="email",
        derived_from=["chat"],
    )
    return {
        "endpoint": endpoint,
        "training": training,
        "keystrokes": keystrokes,
        "chat": chat,
        "corpus": corpus,
    }


# The execution engine's fixtures (sent, eager, export_root).
from tests.rights.engine import *  # noqa: E402, F403
