"""The monitoring tables live in the telemetry database and nowhere else."""

from django.db import connections

from apps.telemetry.models import SeedRun
from apps.telemetry.seeding.service import DATA_MODELS
from tests.telemetry.conftest import telemetry_db

TABLES = {model._meta.db_table for model in (*DATA_MODELS, SeedRun)}
# The portal counts one subject's rows with their first and last timestamps.
SUBJECT_INDEXES = {
    "telemetry_keystroke": ["device_serial", "captured_at"],
    "telemetry_pointer": ["device_serial", "captured_at"],
    "telemetry_screen_capture": ["device_serial", "captured_at"],
    "telemetry_app_session": ["os_username", "started_at"],
    "telemetry_ai_prompt": ["ai_username", "sent_at"],
    "telemetry_chat_message": ["chat_handle", "sent_at"],
    "telemetry_meeting_transcript": ["email", "spoken_at"],
    "telemetry_performance_note": ["employee_number", "written_at"],
    "telemetry_ai_training_corpus": ["email", "collected_at"],
}


@telemetry_db
def test_it_creates_the_tables_only_in_the_telemetry_database():
    in_telemetry = set(connections["telemetry"].introspection.table_names())
    in_default = set(connections["default"].introspection.table_names())

    assert TABLES <= in_telemetry
    assert not {name for name in in_default if name.startswith("telemetry_")}


@telemetry_db
def test_it_indexes_each_table_on_subject_and_timestamp():
    connection = connections["telemetry"]
    assert set(SUBJECT_INDEXES) == {model._meta.db_table for model in DATA_MODELS}
    with connection.cursor() as cursor:
        for table, columns in SUBJECT_INDEXES.items():
            constraints = connection.introspection.get_constraints(cursor, table)
            indexed = [c["columns"] for c in constraints.values() if c["index"]]
            assert columns in indexed, table
