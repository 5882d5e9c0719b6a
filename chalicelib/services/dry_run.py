"""`POST /webhooks/{source_id}?dry_run=true`: a signed delivery answered per event (stored,
duplicate, refused with the reason) as it would be, storing nothing: no event, no archive,
no idempotency record, no sandbox delivery."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.services import admission, ingestion, sandbox
from chalicelib.settings import get_settings


def dry_run(source_id: str, headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
    from chalicelib.domain.errors import TooLarge

    limit = get_settings().webhook_max_body_bytes
    if len(body) > limit:
        raise TooLarge(f"Body is {len(body)} bytes; the limit is {limit}")
    ingestion.verify_delivery(source_id, headers, body)
    events, _ = ingestion.parse_json_body(body)
    return sandbox.dry_run_outcomes(
        source_id, events, lambda chosen: admission.admit(source_id, chosen)
    )
