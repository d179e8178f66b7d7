"""Seeding the demo monitoring system (see service.telemetry_seed)."""
