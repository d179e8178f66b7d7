import pytest
from django.core.management import CommandError, call_command

from apps.catalog.models import Program
from tests.catalog.conftest import catalog_rows

pytestmark = pytest.mark.django_db


def test_it_prints_the_summary(valid_catalog, capsys):
    call_command("load_catalog", str(valid_catalog))

    out = capsys.readouterr().out
    assert "stores: 4 created, 0 updated, 0 unchanged, 0 deleted" in out
    assert "programs: 3 created" in out
    assert Program.objects.count() == 3


def test_it_prints_every_error_and_exits_1(edited_catalog, capsys):
    def edit(doc):
        doc["programs"][0]["legal_basis"] = "because"
        doc["programs"][1]["retention_days"] = "forever"

    with pytest.raises(CommandError) as caught:
        call_command("load_catalog", str(edited_catalog(edit)))

    err = capsys.readouterr().err
    assert "edited.yaml: programs[0].legal_basis: 'because' is not one of" in err
    assert "edited.yaml: programs[1].retention_days: must be a whole number" in err
    assert "2 problem(s); nothing was changed" in str(caught.value)
    assert catalog_rows()["Program"] == []


def test_it_exits_with_status_1(edited_catalog):
    path = edited_catalog(lambda doc: doc["programs"][0].update(legal_basis="x"))

    with pytest.raises(CommandError) as caught:
        call_command("load_catalog", str(path))

    # manage.py turns a CommandError into this exit status.
    assert caught.value.returncode == 1


def test_it_prunes_on_request(valid_catalog, edited_catalog, capsys):
    call_command("load_catalog", str(valid_catalog))
    path = edited_catalog(lambda doc: doc["programs"].pop(1))

    call_command("load_catalog", str(path), "--prune")

    assert "programs: 0 created, 0 updated, 2 unchanged, 1 deleted" in (
        capsys.readouterr().out
    )
    assert not Program.objects.filter(key="ai_training").exists()
