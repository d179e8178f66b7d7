"""Catalog as code: read a catalog file, check all of it, report every problem.

`parse_catalog` reads and checks a file without touching the database; the
service `apps.catalog.services.catalog_load` applies a valid one. The format
is documented in docs/catalog.md.
"""

from apps.catalog.loader.errors import CatalogError
from apps.catalog.loader.parse import (
    CatalogSpec,
    DatasetSpec,
    FieldSpec,
    ProgramSpec,
    StoreSpec,
    parse_catalog,
)

__all__ = [
    "CatalogError",
    "CatalogSpec",
    "DatasetSpec",
    "FieldSpec",
    "ProgramSpec",
    "StoreSpec",
    "parse_catalog",
]
