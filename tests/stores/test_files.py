"""FileStoreConnector over a real folder tree (tmp_path)."""

import datetime as dt
import os
from pathlib import Path

import pytest

from apps.catalog.models import Dataset, Store
from apps.stores.base import StoreMisconfigured, StoreUnavailable
from apps.stores.files import FileStoreConnector

pytestmark = pytest.mark.django_db

ALICE = ["SN-ALICE-1", "SN-ALICE-2"]
BOB = ["SN-BOB-1"]
T0 = dt.datetime(2026, 11, 5, 12, 0, tzinfo=dt.UTC)

FILES = {
    # relative path: hours after T0
    "captures/SN-ALICE-1/2026-11-05/a1.png": 0,
    "captures/SN-ALICE-1/2026-11-06/a2.png": 24,
    "captures/SN-ALICE-2/a3.png": 30,
    "captures/SN-BOB-1/2026-11-05/b1.png": 1,
    "captures/SN-BOB-1/b2.png": 2,
}
ALICE_KEYS = [k for k in FILES if "/SN-ALICE-" in k]


def _write(path: Path, when: dt.datetime, content: bytes = b"\x89PNG capture") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    os.utime(path, (when.timestamp(), when.timestamp()))


@pytest.fixture
def root(tmp_path, settings) -> Path:
    root = tmp_path / "files"
    for key, hours in FILES.items():
        _write(root / key, T0 + dt.timedelta(hours=hours))
    # Beside alice's captures but outside the pattern: never hers to see here.
    _write(root / "captures/SN-ALICE-1/notes.txt", T0, b"not a capture")
    settings.H3_CAPTURES_ROOT = str(root)
    return root


@pytest.fixture
def files_store(root) -> Store:
    return Store.objects.create(
        key="captures",
        name="Capture files",
        kind="files",
        connection={"root_setting": "H3_CAPTURES_ROOT"},
    )


@pytest.fixture
def screens(files_store, program) -> Dataset:
    return Dataset.objects.create(
        store=files_store,
        program=program,
        key="screens",
        name="Screen captures",
        location="captures/{identifier}",
        file_pattern="**/*.png",
        identifier_kind="device_serial",
        erasure_strategy="delete_files",
    )


def test_it_summarizes_the_subjects_files(files_store, screens):
    connector = FileStoreConnector(files_store)

    alice = connector.summarize(screens, ALICE)
    bob = connector.summarize(screens, BOB)

    assert (alice.count, alice.oldest, alice.newest) == (
        3,
        T0,
        T0 + dt.timedelta(hours=30),
    )
    assert bob.count == 2
    assert connector.summarize(screens, []).count == 0
    assert connector.summarize(screens, ["SN-NOBODY"]).count == 0


def test_it_pages_newest_first(files_store, screens, root):
    connector = FileStoreConnector(files_store)

    first = connector.page(screens, ALICE, offset=0, limit=2)
    rest = connector.page(screens, ALICE, offset=2, limit=5)

    assert [r.key for r in first] == [
        "captures/SN-ALICE-2/a3.png",
        "captures/SN-ALICE-1/2026-11-06/a2.png",
    ]
    assert [r.key for r in rest] == ["captures/SN-ALICE-1/2026-11-05/a1.png"]
    assert first[0].file == root / "captures/SN-ALICE-2/a3.png"
    assert first[0].values == {
        "name": "a3.png",
        "size_bytes": len(b"\x89PNG capture"),
        "modified_at": T0 + dt.timedelta(hours=30),
        "content_type": "image/png",
    }


def test_it_streams_every_file_once(files_store, screens):
    keys = [r.key for r in FileStoreConnector(files_store).stream(screens, ALICE)]

    assert sorted(keys) == sorted(ALICE_KEYS)


def test_identifiers_that_could_climb_out_are_skipped(files_store, screens):
    connector = FileStoreConnector(files_store)

    for value in ["..", ".", "", "../captures/SN-BOB-1", "SN-BOB-1/..", "a\\b", "x\0"]:
        assert connector.summarize(screens, [value]).count == 0, value


def test_it_opens_the_subjects_own_file(files_store, screens, root):
    path = FileStoreConnector(files_store).open_file(
        screens, ALICE, "captures/SN-ALICE-2/a3.png"
    )

    assert path == (root / "captures/SN-ALICE-2/a3.png").resolve()


@pytest.mark.parametrize(
    "key",
    [
        "captures/SN-BOB-1/b2.png",  # another subject's file
        "captures/SN-ALICE-1/../SN-BOB-1/b2.png",
        "../x",
        "../../etc/passwd",
        "/etc/passwd",
        "captures/SN-ALICE-1/notes.txt",  # outside the pattern
        "captures/SN-ALICE-1/missing.png",
        "captures/SN-ALICE-1",
        "",
    ],
)
def test_it_refuses_any_other_key(files_store, screens, key):
    with pytest.raises(FileNotFoundError):
        FileStoreConnector(files_store).open_file(screens, ALICE, key)


def test_symlinks_out_of_the_folder_are_refused(files_store, screens, root, tmp_path):
    outside = tmp_path / "outside.png"
    _write(outside, T0)
    alice = root / "captures/SN-ALICE-1"
    (alice / "escape.png").symlink_to(outside)
    (alice / "bobs.png").symlink_to(root / "captures/SN-BOB-1/b2.png")
    connector = FileStoreConnector(files_store)

    for key in ["captures/SN-ALICE-1/escape.png", "captures/SN-ALICE-1/bobs.png"]:
        with pytest.raises(FileNotFoundError):
            connector.open_file(screens, ALICE, key)
    assert sorted(r.key for r in connector.stream(screens, ALICE)) == sorted(ALICE_KEYS)


def test_it_erases_the_files_and_empty_folders(files_store, screens, root):
    connector = FileStoreConnector(files_store)

    assert connector.erase(screens, ALICE) == 3

    assert connector.verify(screens, ALICE) == 0
    assert not (root / "captures/SN-ALICE-2").exists()
    assert not (root / "captures/SN-ALICE-1/2026-11-05").exists()
    # A file outside the pattern is not this dataset's to delete.
    assert (root / "captures/SN-ALICE-1/notes.txt").read_bytes() == b"not a capture"
    assert sorted(
        p.relative_to(root).as_posix() for p in root.rglob("*.png")
    ) == sorted(k for k in FILES if "SN-BOB-1" in k)
    assert connector.verify(screens, BOB) == 2
    assert connector.erase(screens, ALICE) == 0


def test_files_cannot_be_masked(files_store, screens):
    screens.erasure_strategy = "mask"

    with pytest.raises(StoreMisconfigured, match="Capture files.*'mask'"):
        FileStoreConnector(files_store).erase(screens, ALICE)


def test_a_missing_root_setting_is_misconfigured(files_store, screens, settings):
    del settings.H3_CAPTURES_ROOT

    with pytest.raises(StoreMisconfigured, match="Capture files.*H3_CAPTURES_ROOT"):
        FileStoreConnector(files_store).summarize(screens, ALICE)


def test_a_missing_root_env_is_misconfigured(files_store, monkeypatch):
    monkeypatch.delenv("H3_CAPTURES_DIR", raising=False)
    files_store.connection = {"root_env": "H3_CAPTURES_DIR"}

    with pytest.raises(StoreMisconfigured, match="Capture files.*H3_CAPTURES_DIR"):
        FileStoreConnector(files_store).check()


def test_a_root_env_reaches_the_files(files_store, screens, root, monkeypatch):
    monkeypatch.setenv("H3_CAPTURES_DIR", str(root))
    files_store.connection = {"root_env": "H3_CAPTURES_DIR"}

    assert FileStoreConnector(files_store).summarize(screens, ALICE).count == 3


def test_an_absent_root_is_unavailable(files_store, screens, settings, tmp_path):
    settings.H3_CAPTURES_ROOT = str(tmp_path / "unmounted")

    with pytest.raises(StoreUnavailable, match="Capture files.*does not exist"):
        FileStoreConnector(files_store).check()


def test_a_root_that_is_a_file_is_misconfigured(files_store, settings, root):
    settings.H3_CAPTURES_ROOT = str(root / "captures/SN-ALICE-2/a3.png")

    with pytest.raises(StoreMisconfigured, match="not a directory"):
        FileStoreConnector(files_store).check()
