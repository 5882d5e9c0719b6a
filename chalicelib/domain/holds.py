"""Holds: a unit or an official under discipline, inspection or audit, or facing a pending
complaint, may not be awarded while the hold lasts (Decree 152/2025/NĐ-CP Art. 4). Pure
rules and the record; storage keeps them, services apply them to the appraisal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

HoldKind = Literal["discipline", "inspection", "audit", "complaint"]
HOLD_KINDS: tuple[str, ...] = ("discipline", "inspection", "audit", "complaint")
SubjectKind = Literal["unit", "official"]
REASON_MAX_CHARS = 2000
HOLD_LABELS = {
    "discipline": ("Đang bị xem xét kỷ luật", "Under discipline"),
    "inspection": ("Đang bị thanh tra", "Under inspection"),
    "audit": ("Đang bị kiểm toán", "Under audit"),
    "complaint": ("Có khiếu nại, tố cáo đang giải quyết", "Pending complaint"),
}


@dataclass(frozen=True)
class Hold:
    hold_id: str
    subject_kind: str  # unit | official
    subject_id: str
    subject_name: str
    kind: str  # discipline | inspection | audit | complaint
    reason: str
    starts_on: dt.date
    ends_on: dt.date | None  # None: until lifted
    created_by: dict[str, Any]
    created_at: dt.datetime
    lifted_at: dt.datetime | None = None
    lifted_by: dict[str, Any] | None = None

    def active_on(self, day: dt.date) -> bool:
        """In force on the local date `day`: started, not ended, not lifted."""
        if self.lifted_at is not None:
            return False
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)

    def applies_to(self, kind: str, nominee_unit_id: str, nominee_official_id: str | None) -> bool:
        """Whether the hold bars this nominee: a unit's hold its collective nomination, an
        official's hold their individual one."""
        if self.subject_kind == "official":
            return kind == "individual" and self.subject_id == nominee_official_id
        return kind == "collective" and self.subject_id == nominee_unit_id


def active_holds(
    holds: Iterable[Hold],
    day: dt.date,
    kind: str,
    nominee_unit_id: str,
    nominee_official_id: str | None,
) -> list[Hold]:
    return [
        h
        for h in holds
        if h.active_on(day) and h.applies_to(kind, nominee_unit_id, nominee_official_id)
    ]
