"""An OpenAPI description of the collectors' consent API.

The consent API is plain Django views (apps/consent/api.py), outside the
DRF schema at /api/v1/schema/; docs/consent.md describes it in prose. This
is that description in OpenAPI form, built from the same constants as the
code (identifier kinds, batch and value limits), so schemathesis can fuzz it.
"""

from __future__ import annotations

from apps.consent.decisions import MAX_BATCH, MAX_VALUE_LENGTH
from apps.people.models import IdentifierKind

_ERROR = {
    "type": "object",
    "required": ["error", "detail"],
    "properties": {"error": {"type": "string"}, "detail": {"type": "string"}},
}
_SUBJECT = {
    "type": "object",
    "required": ["kind", "value"],
    "properties": {
        "kind": {"type": "string", "enum": list(IdentifierKind.values)},
        "value": {"type": "string", "minLength": 1, "maxLength": MAX_VALUE_LENGTH},
    },
}
_ANSWER = {
    "decision": {"type": "string", "enum": ["allow", "deny"]},
    "reason": {"type": "string"},
    "ttl": {"type": "integer", "minimum": 0},
}
_PROGRAM = {"type": "string", "minLength": 1, "pattern": r"\S"}


def _json(schema: dict, description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }


_ERRORS = {
    "400": _json(_ERROR, "Malformed input, with a precise message"),
    "401": _json(_ERROR, "A missing, wrong or revoked token"),
    "405": {"description": "Wrong method"},
}

CONSENT_OPENAPI = {
    "openapi": "3.0.3",
    "info": {"title": "Candor consent API (collectors)", "version": "1"},
    "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    "paths": {
        "/api/v1/consent/decisions/": {
            "post": {
                "operationId": "consent_decisions",
                "security": [{"bearer": []}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "oneOf": [
                                    {
                                        "type": "object",
                                        "required": ["program", "subject"],
                                        "properties": {
                                            "program": _PROGRAM,
                                            "subject": _SUBJECT,
                                        },
                                        "additionalProperties": False,
                                    },
                                    {
                                        "type": "object",
                                        "required": ["program", "subjects"],
                                        "properties": {
                                            "program": _PROGRAM,
                                            "subjects": {
                                                "type": "array",
                                                "items": _SUBJECT,
                                                "minItems": 1,
                                                "maxItems": MAX_BATCH,
                                            },
                                        },
                                        "additionalProperties": False,
                                    },
                                ]
                            }
                        }
                    },
                },
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["program"],
                            "properties": {
                                "program": {"type": "string"},
                                "subject": _SUBJECT,
                                **_ANSWER,
                                "decisions": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["subject", "decision", "reason"],
                                        "properties": {"subject": _SUBJECT, **_ANSWER},
                                    },
                                },
                            },
                        },
                        "One decision, or one per subject in order",
                    ),
                    **_ERRORS,
                },
            }
        },
        "/api/v1/consent/changes/": {
            "get": {
                "operationId": "consent_changes",
                "security": [{"bearer": []}],
                "parameters": [
                    {
                        "name": "cursor",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 0, "maximum": 2**62},
                    },
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 1000},
                    },
                    # The fuzz sets CONSENT_CHANGES_MAX_WAIT_SECONDS to 0: no
                    # case sleeps, and a longer wait must be refused.
                    {
                        "name": "wait",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 0, "maximum": 0},
                    },
                    {
                        "name": "kind",
                        "in": "query",
                        "schema": {
                            "type": "string",
                            "enum": list(IdentifierKind.values),
                        },
                    },
                ],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["cursor", "changes"],
                            "properties": {
                                "cursor": {"type": "integer", "minimum": 0},
                                "changes": {
                                    "type": "array",
                                    "items": {"type": "object"},
                                },
                            },
                        },
                        "Consent events after the cursor",
                    ),
                    **_ERRORS,
                },
            }
        },
        "/api/v1/consent/ping/": {
            "get": {
                "operationId": "consent_ping",
                "responses": {
                    "200": _json(
                        {"type": "object", "properties": {"ok": {"type": "boolean"}}},
                        "Always ok",
                    )
                },
            }
        },
    },
}
