"""Commands and admin: tokens shown once and revoked, notices published, the
event log read-only."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from apps.consent.models import CollectorToken, ConsentEvent, Notice
from apps.consent.services import consent_grant, token_digest

pytestmark = pytest.mark.django_db


def test_collector_token_create_prints_the_secret_once(capsys, officer, training):
    call_command(
        "collector_token", "create", "agent", "--program", "ai_model_training",
        "--by", officer.username, "--quiet-secret",
    )  # fmt: skip
    secret = capsys.readouterr().out.strip()
    token = CollectorToken.objects.get(name="agent")
    assert secret.startswith("cnd_") and secret not in token.secret_hash
    assert token.secret_hash == token_digest(secret)
    assert list(token.programs.values_list("key", flat=True)) == ["ai_model_training"]


def test_collector_token_revoke(officer, training):
    call_command(
        "collector_token", "create", "agent", "--program", "ai_model_training",
        "--by", officer.username,
    )  # fmt: skip
    call_command("collector_token", "revoke", "agent")
    assert CollectorToken.objects.get(name="agent").revoked_at is not None
    with pytest.raises(CommandError):
        call_command("collector_token", "revoke", "agent")


def test_collector_token_create_refuses_unknown_programs(officer, training):
    with pytest.raises(CommandError, match="nope"):
        call_command(
            "collector_token",
            "create",
            "x",
            "--program",
            "nope",
            "--by",
            "officer@example.com",
        )


def test_publish_notice_from_the_catalog(training):
    call_command("publish_notice", "ai_model_training", "--if-missing")
    call_command("publish_notice", "ai_model_training", "--if-missing")
    assert Notice.objects.get().version == 1
    call_command("publish_notice", "ai_model_training", "--material")
    latest = Notice.objects.order_by("-version").first()
    assert (latest.version, latest.material_change) == (2, True)
    assert latest.why == training.purpose and "Keystrokes" in latest.collected


def test_the_admin_shows_the_log_read_only(client, officer, alice, training, notice):
    officer.is_superuser = True
    officer.save()
    event = consent_grant(employee=alice, program=training, notice=notice).event
    client.force_login(officer)
    assert (
        client.get(reverse("admin:consent_consentevent_changelist")).status_code == 200
    )
    change = reverse("admin:consent_consentevent_change", args=[event.pk])
    assert client.post(change, {"kind": "withdrawn"}).status_code == 403
    assert ConsentEvent.objects.get().kind == "granted"
    assert client.get(reverse("admin:consent_consentevent_add")).status_code == 403


def test_the_admin_creates_a_token_and_shows_it_once(client, officer, training):
    officer.is_superuser = True
    officer.save()
    client.force_login(officer)
    response = client.post(
        reverse("admin:consent_collectortoken_add"),
        {"name": "agent", "programs": [training.pk]},
        follow=True,
    )
    token = CollectorToken.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    secret = next(m.split(": ")[-1] for m in shown if "not shown again" in m)
    assert token.secret_hash == token_digest(secret)
    client.post(
        reverse("admin:consent_collectortoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
