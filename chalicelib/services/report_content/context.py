"""The reads a report needs, each made at most once: one campaign and range, through the
KPI service and the storage layer's functions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from chalicelib.auth import PROVINCE_ADMIN, Principal
from chalicelib.domain.campaigns import Campaign
from chalicelib.domain.evaluations import months_overlapping
from chalicelib.domain.initiatives import Initiative
from chalicelib.domain.registry import OfficialRecord, UnitRecord
from chalicelib.domain.vocabulary import LEVEL_COMMUNE, PROVINCE_LEVELS
from chalicelib.services import kpi as kpi_service
from chalicelib.settings import get_settings
from chalicelib.storage import aggregates as aggregate_store
from chalicelib.storage import initiatives as initiative_store
from chalicelib.storage import registry as registry_store

# The reports read as the system, with province-wide access (scoping happens at download).
SYSTEM = Principal(sub="reports", role=PROVINCE_ADMIN, unit_id=None)


class ReportContext:
    """One campaign and range; the KPI reads, each made at most once (lazily)."""

    def __init__(self, campaign: Campaign, period: kpi_service.Range) -> None:
        self.campaign = campaign
        self.period = period
        self.as_of = kpi_service.as_of()
        self.units: dict[str, UnitRecord] = dict(
            registry_store.registry_snapshot(max_age_seconds=0).units
        )
        self._unit_rows: dict[str, dict[str, Any]] = {}
        self._officials: list[OfficialRecord] | None = None
        self._official_totals: dict[str, dict[str, int]] = {}
        self._latest_evaluations: dict[str, dict[str, Any] | None] = {}
        self._evaluated: dict[str, bool] = {}
        self._rankings: dict[str, dict[str, Any]] = {}
        self._interconnection: dict[str, Any] | None = None
        self._freshness: dict[str, Any] | None = None
        self._initiatives: list[Initiative] | None = None

    @classmethod
    def load(cls, campaign: Campaign, start: dt.date, end: dt.date) -> ReportContext:
        return cls(campaign, kpi_service.resolve_range(start, end, campaign))

    def reload(self) -> ReportContext:
        return ReportContext(self.campaign, self.period)

    def is_current(self) -> bool:
        """False when an aggregation run moved as_of since the reads began."""
        return kpi_service.as_of() == self.as_of

    # units

    def unit_rows(self, unit_ids: Iterable[str]) -> list[dict[str, Any]]:
        wanted = [u for u in dict.fromkeys(unit_ids) if u in self.units]
        missing = [self.units[u] for u in wanted if u not in self._unit_rows]
        if missing:
            for row in kpi_service.unit_table(missing, self.period, self.campaign):
                self._unit_rows[row["unit"].unit_id] = row
        return [self._unit_rows[u] for u in wanted]

    def all_unit_rows(self) -> list[dict[str, Any]]:
        return self.unit_rows(sorted(self.units))

    def children(self, unit_id: str) -> list[UnitRecord]:
        return sorted(
            (u for u in self.units.values() if u.parent_id == unit_id), key=lambda u: u.unit_id
        )

    # officials

    def officials(self) -> list[OfficialRecord]:
        if self._officials is None:
            self._officials = sorted(registry_store.all_officials(), key=lambda o: o.official_id)
        return self._officials

    def officials_of(self, unit_id: str) -> list[OfficialRecord]:
        return [o for o in self.officials() if o.unit_id == unit_id]

    def official_totals(self, officials: Sequence[OfficialRecord]) -> dict[str, dict[str, int]]:
        missing = [o for o in officials if o.official_id not in self._official_totals]
        if missing:
            self._official_totals.update(kpi_service.official_totals(missing, self.period))
        return {o.official_id: self._official_totals[o.official_id] for o in officials}

    def official_rows(
        self, officials: Sequence[OfficialRecord], *, evaluations: bool = True
    ) -> list[dict[str, Any]]:
        """Rows as GET /units/{id}/officials/kpi returns them. ``evaluations=False`` leaves
        the latest evaluation out (one read per official less), for ranking many officials."""
        totals = self.official_totals(officials)
        rows = []
        for official in officials:
            latest = None
            if evaluations:
                if official.official_id not in self._latest_evaluations:
                    self._latest_evaluations[official.official_id] = (
                        aggregate_store.latest_evaluation(official.official_id)
                    )
                latest = self._latest_evaluations[official.official_id]
            rows.append(kpi_service.official_row(official, totals[official.official_id], latest))
        return rows

    def evaluated(self, officials: Sequence[OfficialRecord]) -> dict[str, bool]:
        """official_id -> has an evaluation for a month overlapping the range (as the KPI
        service counts ``officials_evaluated``)."""
        missing = [o.official_id for o in officials if o.official_id not in self._evaluated]
        if missing:
            months = months_overlapping(self.period.start, self.period.end)
            found = aggregate_store.evaluated_among([(i, m) for i in missing for m in months])
            seen = {official_id for (official_id, _month) in found}
            for official_id in missing:
                self._evaluated[official_id] = official_id in seen
        return {o.official_id: self._evaluated[o.official_id] for o in officials}

    # campaign-wide views

    def ranking(self, level: str) -> dict[str, Any]:
        """As GET /campaigns/{id}/ranking?level=, from the rows already read."""
        if level not in self._rankings:
            rows = self.unit_rows(
                sorted(u.unit_id for u in self.units.values() if u.level == level)
            )
            self._rankings[level] = {"items": kpi_service.ranking_items(rows)}
        return self._rankings[level]

    def interconnection(self) -> dict[str, Any]:
        """As GET /campaigns/{id}/interconnection, from the rows already read."""
        if self._interconnection is None:
            rows = self.unit_rows(
                sorted(
                    u.unit_id
                    for u in self.units.values()
                    if u.level in PROVINCE_LEVELS or u.level == LEVEL_COMMUNE
                )
            )
            pairs, without = kpi_service.exchanges(rows, self.units)
            self._interconnection = {"pairs": pairs, "units_without_two_way": without}
        return self._interconnection

    def freshness(self) -> dict[str, Any]:
        if self._freshness is None:
            self._freshness = kpi_service.silent_units(get_settings().silent_after_hours)
        return self._freshness

    def initiatives(self) -> list[Initiative]:
        """The campaign's initiatives (creativity), read once."""
        if self._initiatives is None:
            self._initiatives = initiative_store.campaign_initiatives(self.campaign.campaign_id)
        return self._initiatives

    def daily(self, unit_id: str) -> dict[str, Any]:
        return kpi_service.unit_daily(SYSTEM, unit_id, self.period.start, self.period.end)
