"""The words every layer shares: the campaign criteria, the unit levels, the identifiers,
the event types and the values of their fields.

One entry in ``CRITERIA`` is everything the service knows about a criterion apart from
its formula (``domain.kpi.unit_metrics``, named in ``UNIT_METRICS``): its key, the counters
its rate divides, its default target and weight, the levels it applies to and its labels
and report texts. The KPI core, the campaign model, the response schemas, the report
columns and so the OpenAPI document all read it from here, so a new criterion is one entry
here plus its formula.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal, get_args

# --- identifiers ----------------------------------------------------------------------------

# Unit, official, source, campaign, event and document ids; report scopes; storage key
# segments. Nothing outside this set may reach a key, a path or a file name.
IDENTIFIER_PATTERN = r"^[A-Za-z0-9._-]{1,64}$"
IDENTIFIER_RE = re.compile(IDENTIFIER_PATTERN)
# A name or text that must not be blank: at least one character that is not white space.
NOT_BLANK_PATTERN = r"\S"

# --- dates ----------------------------------------------------------------------------------

# Every date a client sends (a range's from and to, a campaign's dates and deadlines, a
# report's period): ISO YYYY-MM-DD, no other spelling, in the years 2000-2099. The pattern
# says the range in the OpenAPI document (JSON Schema has no minimum for a date); a date
# outside it is a 400, never a figure over centuries of empty days.
DATE_MIN = dt.date(2000, 1, 1)
DATE_MAX = dt.date(2099, 12, 31)
DATE_PATTERN = r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
DATE_RE = re.compile(DATE_PATTERN)
DATE_RULE = f"a date YYYY-MM-DD from {DATE_MIN} to {DATE_MAX}"


def parse_date(text: str) -> dt.date | None:
    """`text` as an accepted date (DATE_RULE), or None."""
    if not DATE_RE.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:  # e.g. 2025-02-30
        return None


# --- unit levels ----------------------------------------------------------------------------

LEVEL_PROVINCE = "province"
LEVEL_DEPARTMENT = "department"
LEVEL_COMMUNE = "commune"
LEVEL_DIVISION = "division"
UNIT_LEVELS: tuple[str, ...] = (LEVEL_PROVINCE, LEVEL_DEPARTMENT, LEVEL_COMMUNE, LEVEL_DIVISION)
# "Province level" for interconnection (DOMAIN.md, Organisation).
PROVINCE_LEVELS = frozenset({LEVEL_PROVINCE, LEVEL_DEPARTMENT})
# The levels with a scoreboard of their own (the ranking route's `level`): every level but
# the province's, which awards and is neither ranked nor nominated.
RANKED_LEVELS: tuple[str, ...] = (LEVEL_COMMUNE, LEVEL_DEPARTMENT, LEVEL_DIVISION)
LEVEL_LABELS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        LEVEL_PROVINCE: ("Cấp tỉnh", "Province"),
        LEVEL_DEPARTMENT: ("Sở, ban, ngành", "Department"),
        LEVEL_COMMUNE: ("Xã, phường, đặc khu", "Commune"),
        LEVEL_DIVISION: ("Phòng thuộc sở", "Division"),
    }
)


def alternatives(words: Sequence[str]) -> str:
    """The values a parameter may take, as a message names them: "a, b or c"."""
    *others, last = words
    return f"{', '.join(others)} or {last}" if others else last


# --- event vocabulary (DOMAIN.md "Document events") -----------------------------------------

# Each event type is a Literal, which tags its model in the webhook schema (domain/events.py),
# and that Literal's value is the constant the code reading stored events compares with.
RegisteredType = Literal["document.registered"]
ProcessedType = Literal["document.processed"]
SignedType = Literal["document.signed"]
IssuedType = Literal["document.issued"]
SentType = Literal["document.sent"]
ReceivedType = Literal["document.received"]
PrintedType = Literal["document.printed"]
EvaluatedType = Literal["official.evaluated"]
EV_REGISTERED: RegisteredType = get_args(RegisteredType)[0]
EV_PROCESSED: ProcessedType = get_args(ProcessedType)[0]
EV_SIGNED: SignedType = get_args(SignedType)[0]
EV_ISSUED: IssuedType = get_args(IssuedType)[0]
EV_SENT: SentType = get_args(SentType)[0]
EV_RECEIVED: ReceivedType = get_args(ReceivedType)[0]
EV_PRINTED: PrintedType = get_args(PrintedType)[0]
EV_EVALUATED: EvaluatedType = get_args(EvaluatedType)[0]
# The events about a document (folded into its state); an evaluation is about an official.
DOCUMENT_EVENT_TYPES: tuple[str, ...] = (
    EV_REGISTERED,
    EV_PROCESSED,
    EV_SIGNED,
    EV_ISSUED,
    EV_SENT,
    EV_RECEIVED,
    EV_PRINTED,
)
EVENT_TYPES: tuple[str, ...] = (*DOCUMENT_EVENT_TYPES, EV_EVALUATED)

Channel = Literal["electronic", "paper"]
CHANNEL_ELECTRONIC: Channel = get_args(Channel)[0]
CHANNEL_PAPER: Channel = get_args(Channel)[1]
SigningMethod = Literal["digital", "handwritten"]
METHOD_DIGITAL: SigningMethod = get_args(SigningMethod)[0]
METHOD_HANDWRITTEN: SigningMethod = get_args(SigningMethod)[1]
# A document's security level; any level but the first makes it secret, so exempt.
Security = Literal["thuong", "mat", "toi_mat", "tuyet_mat"]
SECURITY_LEVELS: tuple[Security, ...] = get_args(Security)
SECURITY_NORMAL: Security = SECURITY_LEVELS[0]

# --- criteria -------------------------------------------------------------------------------

# The criterion whose figure is read from the initiatives (the others from the documents).
CREATIVITY = "creativity"


@dataclass(frozen=True)
class CriterionDefinition:
    """A measured campaign criterion. Labels are (Vietnamese, English) pairs."""

    key: str
    # "rate": numerator / denominator against a target in [0, 1];
    # "flag": true or false, required when the campaign's target is true;
    # "count": a number of things, met when it reaches the campaign's target (a whole number).
    kind: Literal["rate", "flag", "count"]
    label: tuple[str, str]  # the criterion's name
    text: tuple[str, str]  # what the campaign asks, as the decision words it
    rate_column: tuple[str, str]  # the column of its value in a scoreboard
    met_column: tuple[str, str]  # the column saying whether a unit meets it
    numerator: str | None = None  # metric names of a rate's parts
    denominator: str | None = None
    # A rate's gap in a unit's report: what the {count} items of the denominator that do
    # not qualify are, and what to say when the denominator is 0.
    shortfall: tuple[str, str] | None = None
    no_data: tuple[str, str] = ("Không có dữ liệu trong kỳ.", "No data in the period.")
    default_target: float | bool = 1.0
    default_weight: float = 1.0
    levels: frozenset[str] = frozenset(UNIT_LEVELS)
    # Off unless a campaign turns it on (names it in its targets, or weighs it above 0):
    # a criterion added for some campaigns moves no figure of the others.
    opt_in: bool = False

    def __post_init__(self) -> None:
        if self.is_rate and None in (self.numerator, self.denominator, self.shortfall):
            raise ValueError(f"rate criterion {self.key!r} needs its parts and shortfall text")

    @property
    def is_rate(self) -> bool:
        return self.kind == "rate"

    @property
    def is_count(self) -> bool:
        return self.kind == "count"

    def applies_to(self, level: str) -> bool:
        return level in self.levels


CRITERIA_DEFINITIONS: tuple[CriterionDefinition, ...] = (
    CriterionDefinition(
        key="online_rate",
        kind="rate",
        label=("Xử lý văn bản trên môi trường mạng", "Documents processed online"),
        text=(
            "100% văn bản, hồ sơ công việc được xử lý trên môi trường mạng",
            "100% of documents and work records processed online",
        ),
        rate_column=("Tỷ lệ xử lý trên mạng", "Online rate"),
        met_column=("Đạt: xử lý trên mạng", "Met: online"),
        numerator="processed_online",
        denominator="processed_total",
        shortfall=(
            "{count} văn bản xử lý trên giấy hoặc đã in ra giấy.",
            "{count} documents processed on paper or printed.",
        ),
    ),
    CriterionDefinition(
        key="signing_rate",
        kind="rate",
        label=("Ký số văn bản phát hành", "Issued documents digitally signed"),
        text=(
            "100% văn bản phát hành được ký số (trừ văn bản mật và hồ sơ khen thưởng cấp Nhà nước)",
            "100% of issued documents digitally signed (secret documents and state commendation "
            "dossiers exempt)",
        ),
        rate_column=("Tỷ lệ ký số", "Signing rate"),
        met_column=("Đạt: ký số", "Met: signing"),
        numerator="issued_signed_digitally",
        denominator="issued_total",
        shortfall=(
            "{count} văn bản phát hành chưa được ký số.",
            "{count} issued documents not digitally signed.",
        ),
    ),
    CriterionDefinition(
        key="e_issuance_rate",
        kind="rate",
        label=("Phát hành văn bản điện tử", "Documents issued electronically"),
        text=(
            "100% văn bản được phát hành điện tử (trừ văn bản mật và hồ sơ khen thưởng cấp Nhà "
            "nước)",
            "100% of documents issued electronically (same exemptions)",
        ),
        rate_column=("Tỷ lệ phát hành điện tử", "E-issuance rate"),
        met_column=("Đạt: phát hành điện tử", "Met: e-issuance"),
        numerator="issued_online",
        denominator="issued_total",
        shortfall=("{count} văn bản phát hành bằng giấy.", "{count} documents issued on paper."),
    ),
    CriterionDefinition(
        key="kpi_coverage",
        kind="rate",
        label=("Đánh giá cán bộ bằng KPI", "Officials evaluated by KPI"),
        text=(
            "100% cán bộ, công chức, viên chức được đánh giá bằng KPI",
            "100% of officials evaluated by KPI",
        ),
        rate_column=("Tỷ lệ đánh giá KPI", "KPI coverage"),
        met_column=("Đạt: đánh giá KPI", "Met: KPI"),
        numerator="officials_evaluated",
        denominator="officials_active",
        shortfall=(
            "{count} cán bộ chưa được đánh giá KPI trong kỳ.",
            "{count} officials not evaluated by KPI in the period.",
        ),
        no_data=("Không có cán bộ đang công tác trong danh mục.", "No active official listed."),
    ),
    CriterionDefinition(
        key="two_way_interconnection",
        kind="flag",
        label=("Liên thông văn bản hai chiều", "Two-way interconnection"),
        text=(
            "Liên thông văn bản điện tử hai chiều từ tỉnh đến xã",
            "Two-way electronic document exchange between province and communes",
        ),
        rate_column=("Liên thông hai chiều", "Two-way exchange"),
        met_column=("Đạt: liên thông", "Met: two-way"),
        default_target=True,
        # Divisions (sub-units of a department) exchange through their department.
        levels=frozenset({LEVEL_PROVINCE, LEVEL_DEPARTMENT, LEVEL_COMMUNE}),
    ),
    # The campaign plan's fifth criterion, judged by people: the unit's initiatives that the
    # initiatives council recognised in the campaign (services/initiatives/assessment.py).
    # Off by default (weight 0, not assessed) so a campaign that does not ask for it keeps
    # its scores and rankings; on, it is met with at least `targets.creativity` of them.
    CriterionDefinition(
        key=CREATIVITY,
        kind="count",
        label=("Tính sáng tạo (sáng kiến được công nhận)", "Creativity (recognised initiatives)"),
        text=(
            "Tính sáng tạo của cơ quan, cá nhân: có sáng kiến được Hội đồng sáng kiến công nhận",
            "Creativity: initiatives recognised by the initiatives council",
        ),
        rate_column=("Sáng kiến được công nhận", "Recognised initiatives"),
        met_column=("Đạt: sáng tạo", "Met: creativity"),
        default_target=1,
        default_weight=0.0,
        opt_in=True,
    ),
)
CRITERIA_BY_KEY: Mapping[str, CriterionDefinition] = MappingProxyType(
    {c.key: c for c in CRITERIA_DEFINITIONS}
)
# Every criterion a campaign may name (targets, weights).
ALL_CRITERIA: tuple[str, ...] = tuple(c.key for c in CRITERIA_DEFINITIONS)
# The criteria every campaign is assessed on (the scoreboards' and reports' columns); an
# opt-in criterion joins a unit's compliance and score only where its campaign turns it on.
STANDING_DEFINITIONS: tuple[CriterionDefinition, ...] = tuple(
    c for c in CRITERIA_DEFINITIONS if not c.opt_in
)
CRITERIA: tuple[str, ...] = tuple(c.key for c in STANDING_DEFINITIONS)
OPT_IN_CRITERIA: tuple[str, ...] = tuple(c.key for c in CRITERIA_DEFINITIONS if c.opt_in)
RATE_CRITERIA: tuple[str, ...] = tuple(c.key for c in CRITERIA_DEFINITIONS if c.is_rate)
FLAG_CRITERIA: tuple[str, ...] = tuple(c.key for c in CRITERIA_DEFINITIONS if c.kind == "flag")
COUNT_CRITERIA: tuple[str, ...] = tuple(c.key for c in CRITERIA_DEFINITIONS if c.is_count)
# Read-only: campaigns override them with their own data, never by mutating these.
DEFAULT_TARGETS: Mapping[str, float] = MappingProxyType(
    {c.key: float(c.default_target) for c in CRITERIA_DEFINITIONS if c.is_rate}
)
# A count criterion's target: how many it takes (creativity: 1 recognised initiative).
DEFAULT_COUNT_TARGETS: Mapping[str, int] = MappingProxyType(
    {c.key: int(c.default_target) for c in CRITERIA_DEFINITIONS if c.is_count}
)
DEFAULT_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {c.key: c.default_weight for c in CRITERIA_DEFINITIONS}
)
# Parts of every rate the reports show: the criteria's, and the on-time rate (shown for
# information, not a criterion).
RATE_PARTS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        **{
            c.key: (c.numerator, c.denominator)
            for c in CRITERIA_DEFINITIONS
            if c.numerator is not None and c.denominator is not None
        },
        "on_time_rate": ("on_time", "on_time_total"),
    }
)


def criteria_for(level: str, enabled: Collection[str] = ()) -> tuple[str, ...]:
    """The criteria a unit of ``level`` is assessed on, in order: the standing ones and the
    opt-in ones of ``enabled`` (those its campaign turned on) that apply at the level."""
    if level not in UNIT_LEVELS:
        raise ValueError(f"unknown unit level: {level!r}")
    return tuple(
        c.key
        for c in CRITERIA_DEFINITIONS
        if c.applies_to(level) and (not c.opt_in or c.key in enabled)
    )
