"""Organisation registry and campaign use cases."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from pydantic import ValidationError

from chalicelib import clock
from chalicelib.auth import Principal
from chalicelib.domain.campaigns import Campaign, active_campaign
from chalicelib.domain.errors import Forbidden, InvalidInput, NoCampaign, NotFound
from chalicelib.domain.registry import (
    ContactRecord,
    OfficialRecord,
    UnitRecord,
    descendants,
    is_within,
    validate_registry_upsert,
)
from chalicelib.errors import validation_details
from chalicelib.schemas.registry import RegistryUpsertRequest
from chalicelib.settings import get_settings
from chalicelib.storage import contacts as contact_store
from chalicelib.storage import registry as registry_store

UNIT_CSV_COLUMNS = ("unit_id", "name", "level", "parent_id")
OFFICIAL_CSV_COLUMNS = ("official_id", "unit_id", "full_name", "position", "active")
CONTACT_CSV_COLUMNS = ("unit_id", "email", "role")
TRUE_WORDS = {"1", "true", "yes", "y", "có", "x"}
FALSE_WORDS = {"0", "false", "no", "n", "không", ""}


def parse_registry_csv(data: bytes) -> RegistryUpsertRequest:
    """A UTF-8 CSV of units (unit_id,name,level,parent_id), of officials
    (official_id,unit_id,full_name,position,active) or of contacts (unit_id,email,role),
    told apart by its header."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("CSV must be UTF-8 encoded") from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    wanted: tuple[str, ...]
    if "official_id" in header:
        wanted, kind = OFFICIAL_CSV_COLUMNS, "officials"
    elif "email" in header:
        wanted, kind = CONTACT_CSV_COLUMNS, "contacts"
    elif "unit_id" in header:
        wanted, kind = UNIT_CSV_COLUMNS, "units"
    else:
        raise InvalidInput(
            "CSV header must name the columns: "
            f"{','.join(UNIT_CSV_COLUMNS)}, {','.join(OFFICIAL_CSV_COLUMNS)} or "
            f"{','.join(CONTACT_CSV_COLUMNS)}"
        )
    missing = [
        c for c in wanted if c not in header and c not in ("parent_id", "position", "active")
    ]
    if missing:
        raise InvalidInput(f"CSV is missing columns: {', '.join(missing)}")
    rows: list[dict[str, Any]] = []
    details: list[dict[str, Any]] = []
    for i, raw in enumerate(reader):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k}
        if kind == "contacts":
            rows.append(
                {
                    "unit_id": row.get("unit_id", ""),
                    "email": row.get("email", ""),
                    "role": row.get("role", ""),
                }
            )
        elif kind == "units":
            rows.append(
                {
                    "unit_id": row.get("unit_id", ""),
                    "name": row.get("name", ""),
                    "level": row.get("level", ""),
                    "parent_id": row.get("parent_id") or None,
                }
            )
        else:
            active_raw = row.get("active", "true").lower()
            if active_raw not in TRUE_WORDS | FALSE_WORDS:
                details.append(
                    {
                        "kind": "official",
                        "row": i,
                        "field": "active",
                        "message": "must be true or false",
                    }
                )
            rows.append(
                {
                    "official_id": row.get("official_id", ""),
                    "unit_id": row.get("unit_id", ""),
                    "full_name": row.get("full_name", ""),
                    "position": row.get("position", ""),
                    "active": active_raw in TRUE_WORDS,
                }
            )
    if details:
        raise InvalidInput("CSV rows are invalid", code="validation_failed", details=details)
    try:
        return RegistryUpsertRequest.model_validate({kind: rows})
    except ValidationError as exc:
        raise InvalidInput(
            "Request validation failed", code="validation_failed", details=validation_details(exc)
        ) from None


def upsert_registry(request: RegistryUpsertRequest) -> dict[str, int]:
    units = [UnitRecord(u.unit_id, u.name, u.level, u.parent_id) for u in request.units]
    officials = [
        OfficialRecord(o.official_id, o.unit_id, o.full_name, o.position, o.active)
        for o in request.officials
    ]
    contacts = [ContactRecord(c.unit_id, c.email.lower(), c.role) for c in request.contacts]
    existing = registry_store.load_units()  # fresh, not cached: validation must see every unit
    result = validate_registry_upsert(units, officials, existing, contacts)
    if not result.ok:
        raise InvalidInput(
            f"{len(result.errors)} invalid row(s); nothing was applied",
            code="validation_failed",
            details=[e.as_dict() for e in result.errors],
        )
    return {
        "units": registry_store.put_units(units),
        "officials": registry_store.put_officials(officials),
        "contacts": contact_store.put_contacts(contacts),
    }


def list_contacts(principal: Principal, unit_id: str) -> dict[str, Any]:
    """A unit's contacts, with what each address refused (unsubscribed kinds, suppression)."""
    check_unit_access(principal, unit_id)
    contacts = contact_store.contacts_of(unit_id)
    preferences = contact_store.preferences_of([c.email for c in contacts])
    return {
        "unit_id": unit_id,
        "items": [
            {
                "email": c.email,
                "role": c.role,
                "unsubscribed": sorted(preferences[c.email].unsubscribed)
                if c.email in preferences
                else [],
                "suppressed": bool(c.email in preferences and preferences[c.email].suppressed),
            }
            for c in sorted(contacts, key=lambda c: (c.role, c.email))
        ],
    }


# --- scoping -------------------------------------------------------------------------


def check_unit_access(principal: Principal, unit_id: str) -> UnitRecord:
    """404 for an unknown unit, 403 for a unit outside the caller's subtree."""
    units = registry_store.registry_snapshot().units
    unit = units.get(unit_id)
    if unit is None:
        units = registry_store.registry_snapshot(max_age_seconds=0).units
        unit = units.get(unit_id)
    if unit is None:
        raise NotFound(f"Unit {unit_id!r} is not in the registry")
    if not principal.province_wide and not (
        principal.unit_id and is_within(unit_id, principal.unit_id, units)
    ):
        raise Forbidden(f"Unit {unit_id!r} is outside your unit")
    return unit


def visible_unit_ids(principal: Principal) -> set[str] | None:
    """None means every unit."""
    if principal.province_wide:
        return None
    units = registry_store.registry_snapshot().units
    return descendants(principal.unit_id or "", units.values()) if principal.unit_id else set()


def unit_out(u: UnitRecord) -> dict[str, Any]:
    return {"unit_id": u.unit_id, "name": u.name, "level": u.level, "parent_id": u.parent_id}


def official_out(o: OfficialRecord) -> dict[str, Any]:
    return {
        "official_id": o.official_id,
        "unit_id": o.unit_id,
        "full_name": o.full_name,
        "position": o.position,
        "active": o.active,
    }


def list_units(
    principal: Principal,
    *,
    level: str | None,
    parent_id: str | None,
    limit: int,
    after: str | None,
) -> tuple[list[dict[str, Any]], str | None]:
    visible = visible_unit_ids(principal)
    units = sorted(registry_store.registry_snapshot().units.values(), key=lambda u: u.unit_id)
    selected = [
        u
        for u in units
        if (visible is None or u.unit_id in visible)
        and (level is None or u.level == level)
        and (parent_id is None or u.parent_id == parent_id)
        and (after is None or u.unit_id > after)
    ]
    page = selected[:limit]
    next_after = page[-1].unit_id if len(selected) > limit else None
    return [unit_out(u) for u in page], next_after


def list_officials(
    principal: Principal, unit_id: str, limit: int, token: dict[str, str] | None
) -> tuple[list[dict[str, Any]], dict[str, str] | None]:
    check_unit_access(principal, unit_id)
    items, after = registry_store.officials_page(
        unit_id, limit, token["official_id"] if token else None
    )
    return [official_out(o) for o in items], ({"official_id": after} if after else None)


def check_official_access(principal: Principal, official_id: str) -> OfficialRecord:
    official = registry_store.get_official(official_id)
    if official is None:
        raise NotFound(f"Official {official_id!r} is not in the registry")
    check_unit_access(principal, official.unit_id)
    return official


# --- campaigns -------------------------------------------------------------------------


def save_campaign(campaign: Campaign) -> Campaign:
    """Create or replace a campaign. Its time zone must be the province's: daily figures
    are shared by every campaign, so they have one zone, and deadlines use it too."""
    province_zone = get_settings().timezone
    if campaign.timezone != province_zone:
        raise InvalidInput(
            "Request validation failed",
            code="validation_failed",
            details=[
                {
                    "field": "timezone",
                    "message": f"the campaign time zone must be the province's time zone "
                    f"{province_zone} (setting CAMPAIGN_TIMEZONE), not {campaign.timezone}: "
                    "every campaign's figures and deadlines use that one zone",
                }
            ],
        )
    registry_store.put_campaign(campaign.campaign_id, campaign.model_dump(mode="json"))
    return campaign


def get_campaign(campaign_id: str) -> Campaign:
    """From the container's snapshot; a campaign it does not hold yet (created in another
    container since) is read by its key, never by reading them all again."""
    found = registry_store.campaigns_snapshot().get(campaign_id)
    if found is not None:
        return found
    body = registry_store.get_campaign(campaign_id)
    if body is None:
        raise NotFound(f"Campaign {campaign_id!r} does not exist")
    return Campaign.model_validate(body)


def list_campaigns() -> list[Campaign]:
    return sorted(
        registry_store.campaigns_snapshot().values(), key=lambda c: (c.start_date, c.campaign_id)
    )


def default_campaign(campaigns: list[Campaign], today: dt.date | None = None) -> Campaign | None:
    """The campaign an answer uses when none is named, and the console shows first: the one
    active on the province's local date (`clock.local_today()`), by `active_campaign`'s
    rule. The one place this is decided (GET /campaigns says it to the console)."""
    return active_campaign(campaigns, today or clock.local_today())


def current_campaign(today: dt.date | None = None) -> Campaign:
    """The campaign active on the province's local date (`clock.local_today()`): the one
    rule for "the current campaign" (at 01:00 in Viet Nam the UTC date is still
    yesterday's, and a campaign that starts today has started)."""
    found = default_campaign(list_campaigns(), today)
    if found is None:
        raise NoCampaign()
    return found
