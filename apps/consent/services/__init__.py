"""Writes of the consent app, one module per entity."""

from apps.consent.services.blocks import processing_block_lift, processing_block_place
from apps.consent.services.consent import (
    ConsentRefused,
    consent_expire_due,
    consent_grant,
    consent_projection_rebuild,
    consent_withdraw,
    notice_latest,
)
from apps.consent.services.notices import notice_publish, notice_publish_from_catalog
from apps.consent.services.tokens import (
    collector_token_create,
    collector_token_revoke,
    collector_token_scope_set,
    token_digest,
)

__all__ = [
    "ConsentRefused",
    "collector_token_create",
    "collector_token_revoke",
    "collector_token_scope_set",
    "consent_expire_due",
    "consent_grant",
    "consent_projection_rebuild",
    "consent_withdraw",
    "notice_latest",
    "notice_publish",
    "notice_publish_from_catalog",
    "processing_block_lift",
    "processing_block_place",
    "token_digest",
]
