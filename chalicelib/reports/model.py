"""Report document model: a storage-agnostic description of a report.

Pure dataclasses (stdlib only, and the zone setting). Whoever assembles a report (from the
KPI service) builds a ``ReportDocument``; the renderers (XLSX, PDF, CSV) and the manifest
consume it. Importing this module must stay cheap: the webhook Lambda imports ``chalicelib``
and must not pay for reportlab or xlsxwriter (a test checks ``sys.modules``).

Conventions every renderer follows:
- ``None`` in a cell or chart value means "no data" and is shown as "—" (never 0 or 100 %);
- a ``percent`` value is a ratio in [0, 1];
- ``lang`` ("vi" default, or "en") selects the ``*_vi`` / ``*_en`` labels; an empty English
  label falls back to the Vietnamese one, so a partially translated report still renders.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, TypeAlias, get_args

from chalicelib.domain.vocabulary import IDENTIFIER_RE
from chalicelib.settings import get_settings

ColumnKind: TypeAlias = Literal["text", "int", "percent", "float", "date", "bool"]
Lang: TypeAlias = Literal["vi", "en"]
CellValue: TypeAlias = str | int | float | bool | date | datetime | None

COLUMN_KINDS: frozenset[str] = frozenset(get_args(ColumnKind))
LANGS: frozenset[str] = frozenset(get_args(Lang))
NUMERIC_KINDS: frozenset[str] = frozenset({"int", "percent", "float"})

# Keys become file names (CSV) and manifest entries, so keep them path-safe.


class ReportModelError(ValueError):
    """A document that the renderers cannot render faithfully."""


def check_lang(lang: str) -> Lang:
    if lang not in LANGS:
        raise ReportModelError(f"lang must be 'vi' or 'en', got {lang!r}")
    return lang  # type: ignore[return-value]


def pick(vi: str, en: str | None, lang: str) -> str:
    """The label for ``lang``; English falls back to Vietnamese when missing."""
    return en if lang == "en" and en else vi


def pick_list(vi: Sequence[str], en: Sequence[str], lang: str) -> Sequence[str]:
    return en if lang == "en" and en else vi


def _check_key(what: str, key: str) -> None:
    if not IDENTIFIER_RE.match(key):
        raise ReportModelError(f"{what} key {key!r} must match {IDENTIFIER_RE.pattern}")


def _is_number(value: object) -> bool:
    # bool is an int subclass: True must not slip into a numeric column as 1.
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass(frozen=True)
class Column:
    key: str
    label_vi: str
    label_en: str
    kind: ColumnKind = "text"

    def __post_init__(self) -> None:
        if self.kind not in COLUMN_KINDS:
            raise ReportModelError(f"column {self.key!r}: unknown kind {self.kind!r}")
        if not self.key:
            raise ReportModelError("column key must not be empty")

    def label(self, lang: str) -> str:
        return pick(self.label_vi, self.label_en, lang)

    def check_value(self, value: object) -> None:
        """Raise when ``value`` does not fit the column's kind (None always fits)."""
        if value is None:
            return
        kind = self.kind
        ok: bool
        if kind == "text":
            ok = isinstance(value, str)
        elif kind == "int":
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif kind in ("float", "percent"):
            ok = _is_number(value) and math.isfinite(value)  # type: ignore[arg-type]
            # A percent is a ratio: 95.1 instead of 0.951 is the classic bug; refuse it
            # rather than print "9510.0%" in an official report.
            if ok and kind == "percent" and not 0.0 <= float(value) <= 1.0:  # type: ignore[arg-type]
                raise ReportModelError(
                    f"column {self.key!r}: percent must be a ratio in [0, 1], got {value!r}"
                )
        elif kind == "date":
            ok = isinstance(value, date)
        else:  # bool
            ok = isinstance(value, bool)
        if not ok:
            raise ReportModelError(
                f"column {self.key!r} ({kind}): unexpected value {value!r} "
                f"of type {type(value).__name__}"
            )


@dataclass
class Table:
    key: str
    title_vi: str
    title_en: str
    columns: list[Column]
    # Any mapping per row (a KPI dict as is); a missing key is "no data".
    rows: Sequence[Mapping[str, Any]] = field(default_factory=list)
    note_vi: str | None = None
    note_en: str | None = None

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        _check_key("table", self.key)
        if not self.columns:
            raise ReportModelError(f"table {self.key!r} has no columns")
        keys = [c.key for c in self.columns]
        if len(set(keys)) != len(keys):
            raise ReportModelError(f"table {self.key!r} has duplicate column keys")
        for row in self.rows:
            for col in self.columns:
                col.check_value(row.get(col.key))

    def title(self, lang: str) -> str:
        return pick(self.title_vi, self.title_en, lang)

    def note(self, lang: str) -> str | None:
        if lang == "en" and self.note_en:
            return self.note_en
        return self.note_vi

    def cell(self, row: Mapping[str, Any], column: Column) -> CellValue:
        # A missing key is "no data", same as an explicit None.
        value: CellValue = row.get(column.key)
        return value

    def has_missing(self) -> bool:
        return any(row.get(c.key) is None for row in self.rows for c in self.columns)


@dataclass
class BarChart:
    """Horizontal bar chart, e.g. the ranking scores (0..100), in the given order."""

    title_vi: str
    title_en: str
    categories: Sequence[str]
    values: Sequence[float | None]
    value_kind: Literal["float", "percent"] = "float"
    # Fixed axis maximum (a score is out of 100); None lets the renderer choose.
    value_max: float | None = 100.0

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        if len(self.categories) != len(self.values):
            raise ReportModelError(
                f"bar chart {self.title_vi!r}: {len(self.categories)} categories "
                f"but {len(self.values)} values"
            )
        for v in self.values:
            if v is not None and not (_is_number(v) and math.isfinite(v)):
                raise ReportModelError(f"bar chart {self.title_vi!r}: bad value {v!r}")

    def title(self, lang: str) -> str:
        return pick(self.title_vi, self.title_en, lang)


@dataclass
class LineChart:
    """Line chart over dates, e.g. the daily online rate; None values are drawn as gaps."""

    title_vi: str
    title_en: str
    x_labels: Sequence[date | str]
    series: Mapping[str, Sequence[float | None]]
    # English names of the series (the ``series`` keys are the Vietnamese names).
    series_en: Mapping[str, str] = field(default_factory=dict)
    value_kind: Literal["float", "percent"] = "percent"

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        n = len(self.x_labels)
        for name, values in self.series.items():
            if len(values) != n:
                raise ReportModelError(
                    f"line chart {self.title_vi!r}: series {name!r} has {len(values)} "
                    f"values for {n} x labels"
                )
            for v in values:
                if v is not None and not (_is_number(v) and math.isfinite(v)):
                    raise ReportModelError(f"line chart {self.title_vi!r}: bad value {v!r}")

    def title(self, lang: str) -> str:
        return pick(self.title_vi, self.title_en, lang)

    def series_label(self, name: str, lang: str) -> str:
        return pick(name, self.series_en.get(name), lang)


Chart: TypeAlias = BarChart | LineChart


@dataclass
class Section:
    """A titled part of the report. Renderers emit paragraphs, then charts, then tables."""

    key: str
    title_vi: str
    title_en: str
    paragraphs_vi: Sequence[str] = field(default_factory=list)
    paragraphs_en: Sequence[str] = field(default_factory=list)
    tables: Sequence[Table] = field(default_factory=list)
    charts: Sequence[Chart] = field(default_factory=list)

    def __post_init__(self) -> None:
        _check_key("section", self.key)

    def title(self, lang: str) -> str:
        return pick(self.title_vi, self.title_en, lang)

    def paragraphs(self, lang: str) -> Sequence[str]:
        return pick_list(self.paragraphs_vi, self.paragraphs_en, lang)


@dataclass
class ReportDocument:
    report_id: str
    campaign_name: str
    scope: str  # PROVINCE_SCOPE (domain/reports.py) or a unit_id
    scope_name: str
    period_from: date
    period_to: date
    as_of: datetime
    generated_at: datetime
    sections: list[Section] = field(default_factory=list)
    campaign_id: str | None = None
    title_vi: str = "Báo cáo kết quả phong trào thi đua"
    title_en: str = "Campaign results report"
    # Display zone for as_of / generated_at (aware datetimes are shown in it): the
    # province's zone (CAMPAIGN_TIMEZONE), which also dates every figure of the report.
    timezone: str = field(default_factory=lambda: get_settings().timezone)

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Check the whole document; renderers call this because rows may be mutated."""
        if self.period_to < self.period_from:
            raise ReportModelError("period_to is before period_from")
        seen_sections: set[str] = set()
        seen_tables: set[str] = set()
        for section in self.sections:
            if section.key in seen_sections:
                raise ReportModelError(f"duplicate section key {section.key!r}")
            seen_sections.add(section.key)
            for table in section.tables:
                # Table keys name the CSV files, so they are unique per document.
                if table.key in seen_tables:
                    raise ReportModelError(f"duplicate table key {table.key!r}")
                seen_tables.add(table.key)
                table.validate()
            for chart in section.charts:
                chart.validate()

    def title(self, lang: str) -> str:
        return pick(self.title_vi, self.title_en, lang)

    def tables(self) -> list[Table]:
        return [t for s in self.sections for t in s.tables]

    def charts(self) -> list[Chart]:
        return [c for s in self.sections for c in s.charts]
