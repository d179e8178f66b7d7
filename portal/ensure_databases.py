"""Create the PostgreSQL databases the settings name, when they are missing.

`make run` calls this before migrating so that one command sets up a fresh
server. SQLite needs nothing: its files are created on first connect.
Run as: python -m portal.ensure_databases
"""

import os

import django
import psycopg
from django.conf import settings
from psycopg import sql


def ensure_postgres_database(db: dict) -> bool:
    """Create db["NAME"] on its server if absent. True when it was created."""
    params = {
        "host": db["HOST"] or "localhost",
        "port": db["PORT"] or 5432,
        "user": db["USER"] or None,
        "password": db["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
        "connect_timeout": 5,
    }
    with psycopg.connect(**params) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]
        ).fetchone()
        if exists:
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
        return True


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    for alias, db in settings.DATABASES.items():
        if db["ENGINE"].endswith("postgresql") and ensure_postgres_database(db):
            print(f"Created PostgreSQL database {db['NAME']} for '{alias}'.")


if __name__ == "__main__":
    main()
