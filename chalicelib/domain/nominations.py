"""Rules of award nominations (hồ sơ đề nghị khen thưởng): pure functions, no AWS.

States: draft → submitted → approved | rejected; `return` sends a submitted
nomination back to draft. Files are checked by content (magic bytes and, for
Office documents, the package's declared main part), never trusted by name.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import IO, Any, NamedTuple
from urllib.parse import quote

from chalicelib.domain.kpi import competition_rank, descending
from chalicelib.domain.vocabulary import IDENTIFIER_RE, RANKED_LEVELS, UNIT_LEVELS

KINDS = ("collective", "individual")
# eligible and not_eligible: the appraisal (thẩm định) of a campaign decided by its council.
STATUSES = ("draft", "submitted", "eligible", "not_eligible", "approved", "rejected")
# A dossier is complete with at least one verified file of each of these.
REQUIRED_CATEGORIES = ("to_trinh", "bao_cao_thanh_tich")
# Levels a collective nominee may have: the ranked ones (the province itself awards, it is
# not nominated), in the vocabulary's order.
NOMINABLE_LEVELS = tuple(level for level in UNIT_LEVELS if level in RANKED_LEVELS)

SUMMARY_MAX_CHARS = 8000
CREATIVITY_MAX_CHARS = 8000
REASON_MAX_CHARS = 2000
FILENAME_MAX_CHARS = 255
MAX_FILES_PER_NOMINATION = 20
# The reason a pending file is given up with once its upload link (plus a grace period)
# expired: such a file no longer counts toward MAX_FILES_PER_NOMINATION.
EXPIRED_UPLOAD = "no upload arrived before the link expired"


def counts_toward_limit(status: str, reason: str | None) -> bool:
    """Every file of a dossier counts toward its limit, except an abandoned upload."""
    return not (status == "rejected" and reason == EXPIRED_UPLOAD)


UPLOAD_PREFIX = "nominations/"
# Verified bytes are copied here: presigned POSTs can write only under UPLOAD_PREFIX,
# so nothing a client uploads later can replace a file once it is verified.
VERIFIED_PREFIX = "verified/"
_ID = re.compile(r"^[0-9a-f]{32}$")


# --- workflow ----------------------------------------------------------------------------

# action -> (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "edit": (frozenset({"draft"}), "draft"),
    "add_file": (frozenset({"draft"}), "draft"),
    "delete_file": (frozenset({"draft"}), "draft"),
    "submit": (frozenset({"draft"}), "submitted"),
    # A reviewer approves a submitted one (award_procedure review) ...
    "approve": (frozenset({"submitted"}), "approved"),
    "reject": (frozenset({"submitted"}), "rejected"),
    "return": (frozenset({"submitted"}), "draft"),
    # The appraisal (award_procedure council).
    "appraise_eligible": (frozenset({"submitted"}), "eligible"),
    "appraise_not_eligible": (frozenset({"submitted"}), "not_eligible"),
    # A hold recorded after the appraisal: back to submitted, to be appraised again.
    "hold_back": (frozenset({"eligible"}), "submitted"),
    # ... the awards council an eligible one (council; storage.decide_nomination takes both).
    "council_approve": (frozenset({"eligible"}), "approved"),
    "council_reject": (frozenset({"eligible"}), "rejected"),
}


def next_status(current: str, action: str) -> str | None:
    """The state after `action`, or None when `action` is not allowed from `current`."""
    allowed_from, target = TRANSITIONS[action]
    return target if current in allowed_from else None


def allowed_from(action: str) -> list[str]:
    return sorted(TRANSITIONS[action][0])


# Separation of duties: the audit actions after which the same person may not review.
AUTHOR_ACTIONS = ("created", "submitted")


@dataclass(frozen=True)
class TrailEntry:
    """What the separation of duties reads from an audit record."""

    action: str
    sub: str
    at: str


def authored_by(reviewer_sub: str, trail: Iterable[TrailEntry]) -> TrailEntry | None:
    """The first audit record by which the reviewer created or submitted the nomination
    (any of its submissions, after returns too); None when they did neither."""
    for entry in trail:
        if entry.action in AUTHOR_ACTIONS and entry.sub == reviewer_sub:
            return entry
    return None


def missing_categories(
    verified_categories: Iterable[str], required: Iterable[str] = REQUIRED_CATEGORIES
) -> list[str]:
    """The required file categories with no verified file, in the order required."""
    have = set(verified_categories)
    return [c for c in required if c not in have]


def checklist(verified_categories: Iterable[str], required: Iterable[str]) -> list[dict[str, Any]]:
    """The appraisal's checklist: each required category and whether a verified file of it
    is in the dossier."""
    have = set(verified_categories)
    return [{"category": c, "present": c in have} for c in required]


def is_blank(text: str) -> bool:
    return not text or not text.strip()


# --- files -----------------------------------------------------------------------------


class FileType(NamedTuple):
    content_type: str
    label: str
    extension: str  # used for the download name when the given name lacks it
    extensions: tuple[str, ...]


FILE_TYPES: dict[str, FileType] = {
    t.content_type: t
    for t in (
        FileType("application/pdf", "PDF", ".pdf", (".pdf",)),
        FileType(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "DOCX",
            ".docx",
            (".docx",),
        ),
        FileType(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "XLSX",
            ".xlsx",
            (".xlsx",),
        ),
        FileType("image/jpeg", "JPEG", ".jpg", (".jpg", ".jpeg")),
        FileType("image/png", "PNG", ".png", (".png",)),
    )
}

# The content type an OOXML package must declare for its main part.
_OOXML_MAIN_PART = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    ),
}
_CONTENT_TYPES_PART = "[Content_Types].xml"
_CONTENT_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
# The bounds on reading a DOCX package (public: a test lowers them, 1 MiB and 10,000
# parts build slowly).
CONTENT_TYPES_MAX_BYTES = 1024 * 1024
ZIP_MAX_ENTRIES = 10_000
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JPEG_SIGNATURE = b"\xff\xd8\xff"
_PDF_SIGNATURE = b"%PDF-"
_PDF_TAIL_WINDOW = 2048


# filename_problem's rules as the OpenAPI document states them: no control or format
# character (Unicode Cc, Cf), no slash or backslash, not only dots and white space (Zs, Zl,
# Zp). The classes are explicit \\uXXXX ranges of the Basic Multilingual Plane, which every
# regex engine (Python's, ECMA's, Rust's) reads alike; tests/unit/test_fields.py derives
# them from unicodedata. Characters beyond that plane and lone surrogates are refused by
# filename_problem alone.
FILENAME_CONTROL_CLASS = (
    "\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u0600-\\u0605"
    "\\u061c\\u06dd\\u070f\\u0890-\\u0891\\u08e2"
    "\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064"
    "\\u2066-\\u206f\\ufeff\\ufff9-\\ufffb"
)
FILENAME_SPACE_CLASS = "\\u0020\\u00a0\\u1680\\u2000-\\u200a\\u2028-\\u2029\\u202f\\u205f\\u3000"
_BARRED = "/\\\\" + FILENAME_CONTROL_CLASS
FILENAME_PATTERN = f"^[^{_BARRED}]*[^{_BARRED}.{FILENAME_SPACE_CLASS}][^{_BARRED}]*$"


def filename_problem(name: str) -> str | None:
    """Why a client's file name is unacceptable, or None. The name is only ever
    shown and offered as the download name; it never becomes part of a key."""
    if not name or not name.strip():
        return "must not be empty"
    if len(name) > FILENAME_MAX_CHARS:
        return f"must be at most {FILENAME_MAX_CHARS} characters"
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs") for c in name):
        return "must not contain control characters (NUL, line breaks, bidi overrides)"
    if "/" in name or "\\" in name:
        return "must be a file name, not a path"
    if name.strip(". ") == "":
        return "must not consist only of dots"
    return None


def download_name(filename: str, content_type: str) -> str:
    """The name offered on download, always ending in the verified type's extension."""
    kind = FILE_TYPES[content_type]
    if filename.lower().endswith(kind.extensions):
        return filename
    return filename + kind.extension


def content_disposition(filename: str) -> str:
    """RFC 6266 attachment header: an ASCII fallback plus the exact UTF-8 name."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    ascii_name = re.sub(r"[^A-Za-z0-9._ ()-]", "_", ascii_name).strip() or "file"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def upload_key(campaign_id: str, unit_id: str, nomination_id: str, file_id: str) -> str:
    """The object key a presigned POST may write: ids only, never the client's file name."""
    for segment in (campaign_id, unit_id):
        if not IDENTIFIER_RE.match(segment) or set(segment) == {"."}:
            raise ValueError(f"{segment!r} cannot be part of an object key")
    for segment in (nomination_id, file_id):
        if not _ID.match(segment):
            raise ValueError(f"{segment!r} is not a generated id")
    return f"{UPLOAD_PREFIX}{campaign_id}/{unit_id}/{nomination_id}/{file_id}"


def verified_key(upload: str, copy_id: str) -> str:
    """Where the verified bytes of an upload live (read-only for clients)."""
    return f"{VERIFIED_PREFIX}{upload}/{copy_id}"


class UploadKey(NamedTuple):
    campaign_id: str
    unit_id: str
    nomination_id: str
    file_id: str


def parse_upload_key(key: str) -> UploadKey | None:
    """The ids in an upload key, or None when the key is not one the service issues."""
    if not key.startswith(UPLOAD_PREFIX):
        return None
    parts = key[len(UPLOAD_PREFIX) :].split("/")
    if len(parts) != 4:
        return None
    campaign_id, unit_id, nomination_id, file_id = parts
    try:
        if upload_key(campaign_id, unit_id, nomination_id, file_id) != key:
            return None
    except ValueError:
        return None
    return UploadKey(campaign_id, unit_id, nomination_id, file_id)


def sniff(content_type: str, stream: IO[bytes], size: int) -> str | None:
    """Why the stored bytes are not a file of `content_type`, or None when they are.

    `stream` is seekable and holds the whole object (`size` bytes)."""
    stream.seek(0)
    head = stream.read(16)
    if content_type == "application/pdf":
        if not head.startswith(_PDF_SIGNATURE):
            return "not a PDF file: it does not start with %PDF-"
        stream.seek(max(0, size - _PDF_TAIL_WINDOW))
        if b"%%EOF" not in stream.read(_PDF_TAIL_WINDOW):
            return "incomplete PDF file: no %%EOF marker at the end"
        return None
    if content_type == "image/png":
        return None if head.startswith(_PNG_SIGNATURE) else "not a PNG image"
    if content_type == "image/jpeg":
        return None if head.startswith(_JPEG_SIGNATURE) else "not a JPEG image"
    if content_type in _OOXML_MAIN_PART:
        return _ooxml_problem(content_type, stream)
    return f"content type {content_type!r} is not allowed"


def _ooxml_problem(content_type: str, stream: IO[bytes]) -> str | None:
    import zipfile

    label = FILE_TYPES[content_type].label
    stream.seek(0)
    if stream.read(4) != b"PK\x03\x04":
        return f"not a {label} file: not a ZIP package"
    try:
        with zipfile.ZipFile(stream) as package:
            infos = package.infolist()
            if len(infos) > ZIP_MAX_ENTRIES:
                return f"not a {label} file: too many parts"
            names = {i.filename for i in infos}
            info = next((i for i in infos if i.filename == _CONTENT_TYPES_PART), None)
            if info is None:
                return f"not a {label} file: no {_CONTENT_TYPES_PART}"
            if info.file_size > CONTENT_TYPES_MAX_BYTES:
                return f"not a {label} file: {_CONTENT_TYPES_PART} is too large"
            with package.open(info) as fh:
                declared = fh.read(CONTENT_TYPES_MAX_BYTES + 1)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError):
        return f"not a {label} file: damaged ZIP package"
    overrides = _content_type_overrides(declared)
    if overrides is None:
        return f"not a {label} file: {_CONTENT_TYPES_PART} is not valid XML"
    wanted = _OOXML_MAIN_PART[content_type]
    main_parts = [part for part, declared_type in overrides.items() if declared_type == wanted]
    if not main_parts:
        return f"not a {label} file: the package has no {label} main part"
    if not any(part.lstrip("/") in names for part in main_parts):
        return f"not a {label} file: the declared main part is missing"
    return None


def _content_type_overrides(xml: bytes) -> dict[str, str] | None:
    from xml.etree.ElementTree import ParseError

    import defusedxml.ElementTree as SafeET
    from defusedxml import DefusedXmlException

    try:
        root = SafeET.fromstring(xml)
    except (ParseError, DefusedXmlException, ValueError):
        return None
    if root.tag != f"{_CONTENT_TYPES_NS}Types":
        return None
    return {
        str(el.get("PartName", "")): str(el.get("ContentType", ""))
        for el in root.iter(f"{_CONTENT_TYPES_NS}Override")
    }


# --- candidates ---------------------------------------------------------------------------

_OFFICIAL_KEYS = (
    "online_rate",
    "on_time_rate",
    "latest_evaluation_score",
    "processed_total",
    "digital_signatures",
)


def rank_officials(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Individual KPI ranking: online rate, then on-time rate, then the latest KPI
    evaluation score, then documents processed, then digital signatures (all
    descending, no data last), then official_id. Officials equal on every figure
    share a rank (1, 2, 2, 4)."""

    def key(row: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(descending(row.get(k)) for k in _OFFICIAL_KEYS)

    return competition_rank(rows, key, "official_id")


def compliant_first(rows: list[dict[str, Any]], rank: Any) -> list[dict[str, Any]]:
    """Collective candidates: compliant units first, each group in the campaign
    ranking order (`rank` is the KPI domain's ranking function)."""
    compliant = rank([r for r in rows if r["compliant"]])
    others = rank([r for r in rows if not r["compliant"]])
    return list(compliant) + [{**r, "rank": r["rank"] + len(compliant)} for r in others]


# --- the records: what storage hands back -------------------------------------------------


@dataclass(frozen=True)
class Nomination:
    """A nomination dossier (its files and audit trail are records of their own)."""

    nomination_id: str
    campaign_id: str
    created_key: str  # "<created_at iso>#<nomination_id>": creation order
    unit_id: str  # the nominating unit
    kind: str  # collective | individual
    nominee_unit_id: str  # the unit nominated, or the official's unit
    nominee_official_id: str | None
    nominee: dict[str, Any]  # name and level/position, as at creation
    summary: str
    creativity: str
    status: str
    created_by: dict[str, Any]  # the actor: {"sub", "role", "unit_id"}
    created_at: dt.datetime
    updated_at: dt.datetime
    return_reason: str | None = None
    review: dict[str, Any] | None = None
    evidence: dict[str, Any] | None = None  # the nominee's KPI snapshot at submission
    file_count: int = 0
    submitted_at: dt.datetime | None = None
    appraisal: dict[str, Any] | None = None  # the last appraisal (award_procedure council)

    @property
    def nominee_id(self) -> str:
        return self.nominee_official_id or self.nominee_unit_id


@dataclass(frozen=True)
class NominationFile:
    """One file of a dossier: declared by its uploader, settled by verification."""

    nomination_id: str
    file_id: str
    category: str
    filename: str  # the client's name: shown, never part of a key
    content_type: str
    declared_size: int
    status: str  # pending | verified | rejected
    upload_key: str
    created_by: dict[str, Any]
    created_at: dt.datetime
    upload_expires_at: dt.datetime
    reason: str | None = None
    size: int | None = None
    sha256: str | None = None
    verified_key: str | None = None
    verified_at: dt.datetime | None = None
    # The dossier the file belongs to: "nomination", or "results_report" (whose id is then
    # in nomination_id): the same upload path and verification serve both.
    owner: str = "nomination"


@dataclass(frozen=True)
class AuditRecord:
    """One change in a nomination's append-only audit trail: who, when, what, from which state."""

    nomination_id: str
    at: dt.datetime
    actor: dict[str, Any]  # {"sub", "role", "unit_id"}
    action: str
    from_status: str | None
    to_status: str | None
    details: dict[str, Any]


@dataclass(frozen=True)
class NominationSummary:
    """What a report lists of a nomination."""

    nomination_id: str
    kind: str
    status: str
    unit_id: str  # the nominating unit
    nominee_unit_id: str
    nominee_official_id: str | None
    nominee_name: str  # as at creation; "" when none was recorded
    created_key: str  # "<created_at iso>#<nomination_id>": creation order
    submitted_at: dt.datetime | None
