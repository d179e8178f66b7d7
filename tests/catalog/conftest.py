"""Fixtures for catalog tests: the valid catalog fixture, copied to edit freely."""

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from apps.catalog.models import Dataset, Field, Program, Store

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    """A copy of tests/catalog/fixtures, so a test may rewrite its files."""
    target = tmp_path / "catalog"
    shutil.copytree(FIXTURES, target)
    return target


@pytest.fixture
def valid_catalog(catalog_dir: Path) -> Path:
    return catalog_dir / "valid.yaml"


@pytest.fixture
def edited_catalog(catalog_dir: Path) -> Callable[[Callable[[dict], None]], Path]:
    """Write the valid catalog after `edit(document)` to edited.yaml."""

    def write(edit: Callable[[dict], None]) -> Path:
        document = yaml.safe_load((catalog_dir / "valid.yaml").read_text())
        edit(document)
        path = catalog_dir / "edited.yaml"
        path.write_text(yaml.safe_dump(document, sort_keys=False))
        return path

    return write


def catalog_rows() -> dict[str, list[tuple]]:
    """Every catalog row with every column, to compare before and after."""
    return {
        model.__name__: sorted(model.objects.values_list(), key=repr)
        for model in (Store, Program, Dataset, Field)
    }
