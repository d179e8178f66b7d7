"""Keep the demo monitoring system in its own database.

The telemetry app's models live only in the "telemetry" alias and nothing
else lives there, as a company's real monitoring stores would be separate.
"""

TELEMETRY_ALIAS = "telemetry"


class TelemetryRouter:
    def _is_telemetry(self, model) -> bool:
        return model._meta.app_label == "telemetry"

    def db_for_read(self, model, **hints):
        return TELEMETRY_ALIAS if self._is_telemetry(model) else None

    def db_for_write(self, model, **hints):
        return TELEMETRY_ALIAS if self._is_telemetry(model) else None

    def allow_relation(self, obj1, obj2, **hints):
        if self._is_telemetry(obj1) or self._is_telemetry(obj2):
            return self._is_telemetry(obj1) and self._is_telemetry(obj2)
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label == "telemetry":
            return db == TELEMETRY_ALIAS
        return db != TELEMETRY_ALIAS
