"""The demo sender: a realistic month of document events, delivered over signed webhooks.

Three steps, each usable on its own:

- :func:`generate_month` builds the events (``DOMAIN.md`` JSON) for a registry: outgoing
  documents drafted, signed, issued and sent; recipients receiving, registering and processing
  them (departments hand work to their divisions); communes replying to requests from the
  province level; documents from ministries; KPI evaluations of officials. Each unit behaves
  according to its profile (:func:`unit_profiles`). Same input, same output.
- :func:`delivery_plan` cuts the events into webhook batches the way a real sender delivers
  them: roughly chronological, out of order within a window, some events redelivered later.
- :func:`send` posts the batches with Standard Webhooks signatures, retries what the service
  asks to retry, and counts what it accepted.

``python -m scripts.demo.simulator --help`` runs the three.
"""

from __future__ import annotations

import argparse
import email.utils
import itertools
import json
import os
import random
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote

from scripts.demo import province

# Asia/Ho_Chi_Minh has been UTC+7 without daylight saving since 1975.
LOCAL_TZ = timezone(timedelta(hours=7))

PROFILES = ("compliant", "paper_habits", "weak_signing", "no_interconnection", "silent")
PROVINCE_LEVELS = frozenset({"province", "department"})

# Units outside the registry (ministries, the Government Office, a neighbouring province):
# exchanges with them count as sent/received, never towards two-way interconnection.
EXTERNAL_UNITS = (
    "000.00.00.G01",  # Văn phòng Chính phủ
    "000.00.00.G06",  # Bộ Nội vụ
    "000.00.00.G09",  # Bộ Tài chính
    "000.00.00.G13",  # Bộ Khoa học và Công nghệ
    "000.00.00.G17",  # Bộ Nông nghiệp và Môi trường
    "000.00.00.H40",  # UBND tỉnh Lâm Đồng
)

# The 29 types of Decree 30/2020/NĐ-CP with their abbreviations (Công văn and Thư công have
# none: a công văn is numbered "số/cơ quan-đơn vị soạn thảo").
DOC_TYPES: dict[str, str] = {
    "Nghị quyết": "NQ",
    "Quyết định": "QĐ",
    "Chỉ thị": "CT",
    "Quy chế": "QC",
    "Quy định": "QyĐ",
    "Thông cáo": "TC",
    "Thông báo": "TB",
    "Hướng dẫn": "HD",
    "Chương trình": "CTr",
    "Kế hoạch": "KH",
    "Phương án": "PA",
    "Đề án": "ĐA",
    "Dự án": "DA",
    "Báo cáo": "BC",
    "Biên bản": "BB",
    "Tờ trình": "TTr",
    "Hợp đồng": "HĐ",
    "Công văn": "",
    "Công điện": "CĐ",
    "Bản ghi nhớ": "BGN",
    "Bản thỏa thuận": "BTT",
    "Giấy ủy quyền": "GUQ",
    "Giấy mời": "GM",
    "Giấy giới thiệu": "GGT",
    "Giấy nghỉ phép": "GNP",
    "Phiếu gửi": "PG",
    "Phiếu chuyển": "PC",
    "Phiếu báo": "PB",
    "Thư công": "",
}
_PAGES: dict[str, tuple[int, int]] = {
    "Công văn": (1, 3),
    "Quyết định": (2, 6),
    "Kế hoạch": (5, 18),
    "Báo cáo": (3, 14),
    "Tờ trình": (3, 10),
    "Thông báo": (1, 3),
    "Giấy mời": (1, 1),
    "Hướng dẫn": (3, 12),
    "Chỉ thị": (2, 5),
    "Công điện": (1, 2),
    "Biên bản": (2, 5),
    "Chương trình": (3, 8),
}
_DUE_DAYS: dict[str, tuple[int, int]] = {
    "Giấy mời": (1, 2),
    "Công điện": (1, 2),
    "Công văn": (3, 7),
    "Báo cáo": (5, 10),
    "Kế hoạch": (5, 10),
    "Hướng dẫn": (5, 10),
    "Tờ trình": (3, 7),
}
_LEADER_WORDS = ("Chủ tịch", "Giám đốc", "Trưởng", "Chánh", "Hiệu trưởng", "Tổng Biên tập")

# Units whose profile is forced to ``compliant`` so the demo always shows a 100% unit of each
# kind; the first registry unit of that level whose name ends with one of these wins.
SHOWCASE_NAMES = ("Sở Khoa học và Công nghệ", "phường Nha Trang")

_DEPARTMENT_MIX = (
    ("compliant", 0.36),
    ("paper_habits", 0.30),
    ("weak_signing", 0.26),
    ("silent", 0.0),
)
_COMMUNE_MIX = (
    ("compliant", 0.32),
    ("paper_habits", 0.22),
    ("weak_signing", 0.16),
    ("no_interconnection", 0.24),
    ("silent", 0.0),
)


def unit_profiles(units: Sequence[dict[str, Any]]) -> dict[str, str]:
    """The behaviour profile of every unit, chosen deterministically from the registry.

    - ``compliant``: everything electronic and digitally signed, every official evaluated,
      two-way exchange with the other level (province units always; the showcase department
      and commune, see :data:`SHOWCASE_NAMES`; about a third of the others);
    - ``paper_habits``: now and then processes a document on paper or prints it;
    - ``weak_signing``: some documents signed by hand (then scanned and issued online);
    - ``no_interconnection`` (communes only): never sends electronically to the province
      level; what it sends there goes on paper;
    - ``silent``: no events at all (a department and a few communes).

    Divisions take their department's profile. Departments and communes other than the
    showcase ones are shuffled with a fixed seed and cut by the quotas above (the remainder
    is silent), so the result depends only on the set of unit ids and levels.
    """
    by_level: dict[str, list[dict[str, Any]]] = {}
    for unit in sorted(units, key=lambda u: u["unit_id"]):
        by_level.setdefault(unit["level"], []).append(unit)
    profiles: dict[str, str] = {u["unit_id"]: "compliant" for u in by_level.get("province", [])}
    rng = random.Random("khong-giay/unit-profiles/v1")
    for level, mix in (("department", _DEPARTMENT_MIX), ("commune", _COMMUNE_MIX)):
        members = by_level.get(level, [])
        showcase = next(
            (u for name in SHOWCASE_NAMES for u in members if u["name"].endswith(name)),
            members[0] if members else None,
        )
        rest = [u["unit_id"] for u in members if u is not showcase]
        if showcase is not None:
            profiles[showcase["unit_id"]] = "compliant"
        rng.shuffle(rest)
        cursor = 0
        for profile, share in mix:
            take = round(len(rest) * share) if share else max(0, len(rest) - cursor)
            for unit_id in rest[cursor : cursor + take]:
                profiles[unit_id] = profile
            cursor += take
    for unit in by_level.get("division", []):
        profiles[unit["unit_id"]] = profiles.get(unit["parent_id"] or "", "compliant")
    for unit in units:  # levels outside DOMAIN.md, if any: behave well
        profiles.setdefault(unit["unit_id"], "compliant")
    return profiles


# --------------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------------


@dataclass
class _Doc:
    id: str
    doc_type: str
    security: str = "thuong"
    state_commendation: bool = False
    pages: int = 1
    number: str | None = None

    @property
    def exempt(self) -> bool:
        return self.security != "thuong" or self.state_commendation

    def payload(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"id": self.id}
        if self.number is not None:
            doc["number"] = self.number
        doc.update(
            doc_type=self.doc_type,
            security=self.security,
            state_commendation=self.state_commendation,
            pages=self.pages,
        )
        return doc


@dataclass
class _Habit:
    """A unit's deterministic cadence: every ``every``-th occurrence is the bad one."""

    every: int
    count: int = 0

    def tick(self) -> bool:
        self.count += 1
        return self.count % self.every == 0


class _Generator:
    def __init__(
        self,
        units: Sequence[dict[str, Any]],
        officials: Sequence[dict[str, Any]],
        start: date,
        days: int,
        seed: int,
        volume: float = 1.0,
        codes: dict[str, str] | None = None,
    ) -> None:
        self.rng = random.Random(seed)
        self.volume = volume
        self.start = start
        self.days = days
        self.tag = f"{seed}-{start:%Y%m%d}-{days}d"
        self.end = datetime.combine(start + timedelta(days=days), datetime.min.time(), LOCAL_TZ)
        self.units = {u["unit_id"]: u for u in units}
        self.profiles = unit_profiles(units)
        self.codes = province.unit_codes() if codes is None else codes
        self.level = {uid: u["level"] for uid, u in self.units.items()}
        ordered = sorted(self.units)
        self.active = [uid for uid in ordered if self.profiles[uid] != "silent"]
        self.by_level: dict[str, list[str]] = {}
        for uid in ordered:
            self.by_level.setdefault(self.level[uid], []).append(uid)
        self.divisions: dict[str, list[str]] = {}
        for uid in self.by_level.get("division", []):
            self.divisions.setdefault(self.units[uid]["parent_id"], []).append(uid)
        self.leaders: dict[str, list[str]] = {}
        self.workers: dict[str, list[str]] = {}
        self.staff: dict[str, list[str]] = {}
        for off in officials:
            if not off.get("active", True) or off["unit_id"] not in self.units:
                continue
            uid = off["unit_id"]
            self.staff.setdefault(uid, []).append(off["official_id"])
            is_leader = off["position"].startswith(("Phó ", *_LEADER_WORDS))
            (self.leaders if is_leader else self.workers).setdefault(uid, []).append(
                off["official_id"]
            )
        self.departments = self.by_level.get("department", [])
        self.communes = self.by_level.get("commune", [])
        self.province_units = self.by_level.get("province", [])
        self.head = next(
            (u for u in self.province_units if not self.units[u]["parent_id"]),
            self.province_units[0] if self.province_units else None,
        )
        self.office = next((u for u in self.province_units if u != self.head), self.head)
        rng = random.Random(f"khong-giay/habits/{seed}")
        self.paper_habit = {uid: _Habit(rng.randint(5, 9)) for uid in ordered}
        self.print_habit = {uid: _Habit(rng.randint(7, 13)) for uid in ordered}
        self.sign_habit = {uid: _Habit(rng.randint(3, 5)) for uid in ordered}
        # Secret documents: mostly Mật, some Tối mật, a few Tuyệt mật.
        self.secrecy = itertools.cycle(("mat", "toi_mat", "mat", "mat", "tuyet_mat", "mat"))
        self.rows: list[tuple[float, int, dict[str, Any]]] = []
        self.doc_seq = 0
        self.number_seq: dict[tuple[str, str], int] = {}

    # -- small helpers ---------------------------------------------------------------------

    def staff_of(self, uid: str, leader: bool) -> str | None:
        pool = (self.leaders if leader else self.workers).get(uid) or self.staff.get(uid)
        return self.rng.choice(pool) if pool else None

    def work_time(self, day: date) -> datetime:
        minute = (
            self.rng.randrange(450, 690)
            if self.rng.random() < 0.55
            else self.rng.randrange(810, 1020)
        )
        return datetime(
            day.year,
            day.month,
            day.day,
            minute // 60,
            minute % 60,
            self.rng.randrange(60),
            tzinfo=LOCAL_TZ,
        )

    def later(self, at: datetime, lo_minutes: int, hi_minutes: int) -> datetime:
        return at + timedelta(
            minutes=self.rng.randint(lo_minutes, hi_minutes), seconds=self.rng.randrange(60)
        )

    def emit(self, kind: str, at: datetime, unit_id: str, doc: _Doc | None, **extra: Any) -> None:
        if at >= self.end:
            return
        # Mostly local time with its offset, as e-office systems in Vietnam write it; some
        # systems send UTC with "Z" (same instant).
        if self.rng.random() < 0.08:
            stamp = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        else:
            stamp = at.isoformat(timespec="seconds")
        event: dict[str, Any] = {
            "event_id": "",
            "type": kind,
            "occurred_at": stamp,
            "unit_id": unit_id,
        }
        if doc is not None:
            event["document"] = doc.payload()
        event.update(extra)
        self.rows.append((at.timestamp(), len(self.rows), event))

    def new_doc(
        self, doc_type: str, *, security: str = "thuong", commendation: bool = False
    ) -> _Doc:
        self.doc_seq += 1
        lo, hi = _PAGES.get(doc_type, (1, 4))
        return _Doc(
            id=f"vb-{self.tag}-{self.doc_seq:05d}",
            doc_type=doc_type,
            security=security,
            state_commendation=commendation,
            pages=self.rng.randint(lo, hi),
        )

    def number_for(self, author: str, doc: _Doc) -> str:
        abbr = DOC_TYPES.get(doc.doc_type, "")
        key = (author, abbr)
        if key not in self.number_seq:
            # Numbers restart every year; communes were created on 1/7/2025.
            level = self.level[author]
            base = (
                {"province": 2600, "department": 900}.get(level, 10)
                if not abbr
                else {"province": 300, "department": 60}.get(level, 3)
            )
            self.number_seq[key] = self.rng.randint(base, base * 2)
        self.number_seq[key] += 1
        org = (
            self.codes.get(author)
            or "".join(w[0] for w in self.units[author]["name"].split() if w[0].isupper())
            or "CQ"
        )
        if abbr:
            return f"{self.number_seq[key]}/{abbr}-{org}"
        level = self.level[author]
        if level == "department" and self.divisions.get(author):
            drafter = self.codes.get(self.rng.choice(self.divisions[author]), "VP")
        elif author == self.head:
            drafter = self.rng.choice(("KT", "NC", "VX", "TH"))
        else:
            drafter = "VP" if org != "VPUBND" else "HCTC"
        return f"{self.number_seq[key]}/{org}-{drafter}"

    # -- flows -----------------------------------------------------------------------------

    def issue(
        self, author: str, at: datetime, doc: _Doc, recipients: Sequence[str]
    ) -> list[tuple[str, datetime]]:
        """Draft, sign, issue and send ``doc``; recipients in the registry receive and process
        it. Returns (recipient, processed at) for the recipients that processed it."""
        profile = self.profiles[author]
        signer = self.staff_of(author, leader=True)
        if signer is None:
            return []
        self.emit("document.registered", at, author, doc, direction="outgoing")
        signed_at = self.office_hours(self.later(at, 30, 300))
        if doc.exempt:
            method = "handwritten"  # secret documents and state dossiers stay on paper
        elif profile == "weak_signing" and self.sign_habit[author].tick():
            method = "handwritten"  # signed on paper, then scanned and issued online
        else:
            method = "digital"
        self.emit(
            "document.signed", signed_at, author, doc, method=method, signer_official_id=signer
        )
        issued_at = self.office_hours(self.later(signed_at, 5, 90))
        doc.number = self.number_for(author, doc)
        self.emit(
            "document.issued",
            issued_at,
            author,
            doc,
            channel="paper" if doc.exempt else "electronic",
        )
        processed: list[tuple[str, datetime]] = []
        for recipient in recipients:
            sent_at = self.later(issued_at, 1, 25)
            paper = doc.exempt or (
                profile == "no_interconnection" and self.level.get(recipient) in PROVINCE_LEVELS
            )
            self.emit(
                "document.sent",
                sent_at,
                author,
                doc,
                to_unit_id=recipient,
                channel="paper" if paper else "electronic",
            )
            if recipient in self.units and self.profiles[recipient] != "silent":
                received_at = (
                    self.next_work_time(sent_at, self.rng.randint(1, 2))
                    if paper
                    else self.later(sent_at, 0, 12)
                )
                done = self.receive(
                    recipient, doc, author, received_at, "paper" if paper else "electronic"
                )
                if done is not None:
                    processed.append((recipient, done))
        return processed

    def office_hours(self, at: datetime) -> datetime:
        """``at`` if it falls in working hours (7:30-17:30, Monday to Friday), else early on
        the next working morning: people sign, register and process in office hours; only
        the transfer between systems is instant."""
        minutes = at.hour * 60 + at.minute
        if at.weekday() < 5 and 450 <= minutes < 1050:
            return at
        day = at.date() if minutes < 450 else at.date() + timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return datetime(day.year, day.month, day.day, 7, 30, tzinfo=LOCAL_TZ) + timedelta(
            minutes=self.rng.randint(0, 90), seconds=self.rng.randrange(60)
        )

    def next_work_time(self, at: datetime, days: int) -> datetime:
        day = at.date() + timedelta(days=days)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return self.work_time(day)

    def receive(
        self, unit: str, doc: _Doc, sender: str, at: datetime, channel: str
    ) -> datetime | None:
        """Receive, register and process an incoming document (a department may hand it to
        one of its divisions first). Returns when the unit finished processing it."""
        actor = self.staff_of(unit, leader=False)
        if actor is None:
            return None
        self.emit("document.received", at, unit, doc, from_unit_id=sender, channel=channel)
        registered_at = self.office_hours(self.later(at, 2, 120))
        self.emit("document.registered", registered_at, unit, doc, direction="incoming")
        lo, hi = _DUE_DAYS.get(doc.doc_type, (3, 10))
        due_day = registered_at.date() + timedelta(days=self.rng.randint(lo, hi))
        due = datetime(due_day.year, due_day.month, due_day.day, 17, 0, tzinfo=LOCAL_TZ)
        late_share = 0.03 if self.profiles[unit] == "compliant" else 0.12
        if self.rng.random() < late_share:
            done = self.next_work_time(due, self.rng.randint(1, 3))
        elif self.rng.random() < 0.4 or registered_at.hour >= 16:
            done = self.office_hours(self.later(registered_at, 20, 100))  # the same day
        else:
            done = self.next_work_time(registered_at, self.rng.randint(1, min(3, hi)))
            if done > due:
                done = self.office_hours(self.later(registered_at, 20, 100))
        if (
            self.level[unit] == "department"
            and self.divisions.get(unit)
            and self.rng.random() < 0.6
        ):
            division = self.rng.choice(self.divisions[unit])
            if self.profiles[division] != "silent":
                div_actor = self.staff_of(division, leader=False)
                if div_actor is not None:
                    # the phòng finishes first: the working day before, or shortly before
                    gap = (done.date() - registered_at.date()).days
                    div_done = (
                        self.next_work_time(registered_at, gap - 1)
                        if gap >= 2
                        else max(
                            registered_at + timedelta(minutes=5),
                            done - timedelta(minutes=self.rng.randint(10, 60)),
                        )
                    )
                    self.process(
                        division, doc, div_done, actor=div_actor, due=due, received_channel=channel
                    )
        self.process(unit, doc, done, actor=actor, due=due, received_channel=channel)
        return done

    def process(
        self,
        unit: str,
        doc: _Doc,
        done: datetime,
        *,
        actor: str,
        due: datetime,
        received_channel: str,
    ) -> None:
        profile = self.profiles[unit]
        if doc.exempt:
            channel = "paper" if self.rng.random() < 0.8 else "electronic"
        elif profile == "paper_habits" and (
            self.paper_habit[unit].tick()
            or (received_channel == "paper" and self.rng.random() < 0.5)
        ):
            channel = "paper"
        else:
            channel = "electronic"  # paper arrivals are scanned in by the văn thư
        extra: dict[str, Any] = {"channel": channel, "actor_official_id": actor}
        occurred = done
        if self.rng.random() < 0.85:
            extra["due_at"] = due.isoformat(timespec="seconds")
        if self.rng.random() < 0.6:
            extra["completed_at"] = done.isoformat(timespec="seconds")
            occurred = self.later(done, 0, 10)  # recorded a little after the work was done
        self.emit("document.processed", occurred, unit, doc, **extra)
        if profile == "paper_habits" and not doc.exempt and self.print_habit[unit].tick():
            printed = {"pages": doc.pages * self.rng.randint(1, 3)}
            self.emit("document.printed", self.later(done, -15, -1), unit, doc, **printed)

    def external_incoming(self, unit: str, at: datetime) -> None:
        doc_type = self.rng.choice(
            ("Công văn", "Công văn", "Quyết định", "Thông báo", "Công điện", "Hướng dẫn")
        )
        doc = self.new_doc(doc_type)
        sender = self.rng.choice(EXTERNAL_UNITS)
        org = self.rng.choice(("VPCP", "BNV", "BTC", "BKHCN", "BNNMT"))
        abbr = DOC_TYPES[doc_type]
        doc.number = (
            f"{self.rng.randint(100, 6000)}/{abbr}-{org}"
            if abbr
            else f"{self.rng.randint(100, 6000)}/{org}-VP"
        )
        self.receive(unit, doc, sender, at, "electronic")

    def replies(self, processed: list[tuple[str, datetime]], to: str, share: float) -> None:
        for unit, done in processed:
            if self.rng.random() >= share:
                continue
            reply = self.new_doc("Báo cáo" if self.rng.random() < 0.8 else "Công văn")
            self.issue(unit, self.office_hours(self.later(done, 10, 240)), reply, [to])

    # -- the month -------------------------------------------------------------------------

    def some(self, pool: Sequence[str], lo: int, hi: int, exclude: str | None = None) -> list[str]:
        candidates = [u for u in pool if u != exclude]
        if not candidates:
            return []
        return self.rng.sample(candidates, min(len(candidates), self.rng.randint(lo, hi)))

    def count(self, rate: float) -> int:
        whole = int(rate)
        return whole + (1 if self.rng.random() < rate - whole else 0)

    def day(self, day: date) -> None:
        weight = (1.0, 1.0, 1.0, 1.0, 1.0, 0.25, 0.05)[day.weekday()] * self.volume
        for unit in self.active:
            level = self.level[unit]
            if level == "division":
                # A phòng submits tờ trình to its department's leadership, and a weekly
                # báo cáo every Friday.
                parent = self.units[unit]["parent_id"]
                for _ in range(self.count(0.12 * weight)):
                    doc = self.new_doc(self.rng.choice(("Tờ trình", "Tờ trình", "Báo cáo")))
                    self.issue(unit, self.work_time(day), doc, [parent])
                if day.weekday() == 4:
                    self.issue(unit, self.work_time(day), self.new_doc("Báo cáo"), [parent])
            elif unit == self.head:
                for _ in range(self.count(3.0 * weight)):
                    self.province_doc(unit, self.work_time(day))
                for _ in range(self.count(2.0 * weight)):
                    self.external_incoming(unit, self.work_time(day))
            elif level == "province":
                for _ in range(self.count(2.0 * weight)):
                    self.office_doc(unit, self.work_time(day))
            elif level == "department":
                for _ in range(self.count(1.0 * weight)):
                    self.department_doc(unit, self.work_time(day))
                if day.weekday() == 0 and self.communes:
                    # Monday: the week's guidance to the communes it works with.
                    doc = self.new_doc(self.rng.choice(("Công văn", "Hướng dẫn")))
                    self.replies(
                        self.issue(unit, self.work_time(day), doc, self.some(self.communes, 2, 6)),
                        unit,
                        0.4,
                    )
                for _ in range(self.count(0.4 * weight)):
                    self.external_incoming(unit, self.work_time(day))
            elif level == "commune":
                for _ in range(self.count(0.4 * weight)):
                    self.commune_doc(unit, self.work_time(day))
                if day.weekday() == 4 and self.office is not None:  # Friday weekly report
                    doc = self.new_doc("Báo cáo")
                    self.issue(unit, self.work_time(day), doc, [self.office])

    def province_doc(self, unit: str, at: datetime) -> None:
        rng = self.rng
        roll = rng.random()
        if roll < 0.30:
            doc = self.new_doc("Công văn")
            self.replies(self.issue(unit, at, doc, self.some(self.departments, 1, 4)), unit, 0.5)
        elif roll < 0.39:
            doc = self.new_doc(rng.choice(("Kế hoạch", "Công văn", "Chỉ thị", "Công điện")))
            done = self.issue(unit, at, doc, self.departments + self.communes)
            self.replies([d for d in done if self.level[d[0]] == "commune"], unit, 0.25)
        elif roll < 0.57:
            doc = self.new_doc("Quyết định")
            self.issue(
                unit, at, doc, self.some(self.departments, 1, 3) + self.some(self.communes, 1, 3)
            )
        elif roll < 0.74:
            doc = self.new_doc(rng.choice(("Công văn", "Công văn", "Thông báo")))
            self.replies(self.issue(unit, at, doc, self.some(self.communes, 1, 5)), unit, 0.4)
        elif roll < 0.90:
            doc = self.new_doc(rng.choice(("Báo cáo", "Tờ trình", "Công văn")))
            self.issue(unit, at, doc, [rng.choice(EXTERNAL_UNITS)])
        else:
            doc = self.new_doc("Công văn", security=next(self.secrecy))
            self.issue(unit, at, doc, self.some(self.departments, 1, 3))

    def office_doc(self, unit: str, at: datetime) -> None:
        rng = self.rng
        roll = rng.random()
        if roll < 0.45:
            doc = self.new_doc("Thông báo")
            self.issue(unit, at, doc, self.some(self.departments, 2, 6))
        elif roll < 0.75:
            doc = self.new_doc("Giấy mời")
            self.issue(
                unit, at, doc, self.some(self.departments, 1, 4) + self.some(self.communes, 0, 4)
            )
        else:
            doc = self.new_doc("Công văn")
            self.replies(self.issue(unit, at, doc, self.some(self.communes, 1, 6)), unit, 0.4)

    def department_doc(self, unit: str, at: datetime) -> None:
        rng = self.rng
        roll = rng.random()
        nv = next(
            (d for d in self.departments if self.codes.get(d) == "SNV"),
            self.departments[0] if self.departments else None,
        )
        if roll < 0.28 and self.province_units:
            doc = self.new_doc(rng.choice(("Báo cáo", "Báo cáo", "Tờ trình", "Công văn")))
            target = self.head if rng.random() < 0.7 else self.office
            self.issue(unit, at, doc, [target] if target else [])
        elif roll < 0.46:
            doc = self.new_doc("Công văn")
            self.replies(
                self.issue(unit, at, doc, self.some(self.departments, 1, 3, unit)), unit, 0.3
            )
        elif roll < 0.58:
            doc = self.new_doc(rng.choice(("Công văn", "Công văn", "Hướng dẫn", "Giấy mời")))
            self.replies(self.issue(unit, at, doc, self.some(self.communes, 1, 8)), unit, 0.4)
        elif roll < 0.60:
            doc = self.new_doc(rng.choice(("Hướng dẫn", "Kế hoạch", "Công văn")))
            self.replies(self.issue(unit, at, doc, list(self.communes)), unit, 0.35)
        elif roll < 0.72:
            doc = self.new_doc(rng.choice(("Báo cáo", "Công văn")))
            self.issue(unit, at, doc, [rng.choice(EXTERNAL_UNITS)])
        elif roll < 0.92:
            doc = self.new_doc(rng.choice(("Quyết định", "Quyết định", "Thông báo", "Kế hoạch")))
            self.issue(unit, at, doc, [])
        elif roll < 0.96 and self.head:
            doc = self.new_doc("Báo cáo", security=next(self.secrecy))
            self.issue(unit, at, doc, [self.head])
        elif nv is not None:
            # Hồ sơ đề nghị khen thưởng cấp nhà nước: via Sở Nội vụ (which sends its own to the
            # UBND tỉnh).
            doc = self.new_doc("Tờ trình", commendation=True)
            target = self.head if unit == nv else nv
            self.issue(unit, at, doc, [target] if target else [])

    def commune_doc(self, unit: str, at: datetime) -> None:
        rng = self.rng
        roll = rng.random()
        nv = next(
            (d for d in self.departments if self.codes.get(d) == "SNV"),
            self.departments[0] if self.departments else None,
        )
        if roll < 0.35 and self.departments:
            doc = self.new_doc(rng.choice(("Báo cáo", "Tờ trình", "Công văn")))
            self.issue(unit, at, doc, [rng.choice(self.departments)])
        elif roll < 0.55 and self.head:
            doc = self.new_doc(rng.choice(("Báo cáo", "Tờ trình")))
            self.issue(unit, at, doc, [self.head])
        elif roll < 0.85:
            doc = self.new_doc(
                rng.choice(("Quyết định", "Quyết định", "Thông báo", "Kế hoạch", "Biên bản"))
            )
            self.issue(unit, at, doc, [])
        elif roll < 0.94:
            doc = self.new_doc(rng.choice(("Công văn", "Giấy mời")))
            self.issue(unit, at, doc, self.some(self.communes, 1, 2, unit))
        elif roll < 0.97 and nv is not None:
            doc = self.new_doc("Tờ trình", commendation=True)
            self.issue(unit, at, doc, [nv])
        elif self.head:
            doc = self.new_doc("Báo cáo", security="mat")
            self.issue(unit, at, doc, [self.head])

    def evaluations(self) -> None:
        """Monthly KPI evaluations: every active official of a compliant unit, about 9 in 10
        elsewhere, none in silent units; recorded on the last working day of the month, or on
        the last day simulated for a month that does not end inside the window."""
        last_day = self.start + timedelta(days=self.days - 1)
        month = date(self.start.year, self.start.month, 1)
        while month <= last_day:
            following = (month + timedelta(days=32)).replace(day=1)
            day = min(following - timedelta(days=1), last_day)
            while day.weekday() >= 5 and day > max(month, self.start):
                day -= timedelta(days=1)
            period = f"{month:%Y-%m}"
            for unit in self.active:
                coverage = 1.0 if self.profiles[unit] == "compliant" else 0.9
                for official in self.staff.get(unit, []):
                    if self.rng.random() >= coverage:
                        continue
                    at = datetime(
                        day.year,
                        day.month,
                        day.day,
                        self.rng.randint(14, 16),
                        self.rng.randrange(60),
                        self.rng.randrange(60),
                        tzinfo=LOCAL_TZ,
                    )
                    score = round(min(100.0, max(40.0, self.rng.gauss(86, 7))), 1)
                    self.emit(
                        "official.evaluated",
                        at,
                        unit,
                        None,
                        official_id=official,
                        period=period,
                        score=score,
                    )
            month = following

    def run(self) -> list[dict[str, Any]]:
        for offset in range(self.days):
            self.day(self.start + timedelta(days=offset))
        self.evaluations()
        self.rows.sort(key=lambda row: (row[0], row[1]))
        events = []
        for n, (_ts, _seq, event) in enumerate(self.rows, start=1):
            event["event_id"] = f"ev-{self.tag}-{n:06d}"
            events.append(event)
        return events


def generate_month(
    units: Sequence[dict[str, Any]],
    officials: Sequence[dict[str, Any]],
    *,
    start: date,
    days: int = 31,
    seed: int = 2025,
    volume: float = 1.0,
    codes: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """The events of ``days`` local days from ``start`` for the registry, sorted by
    ``occurred_at`` (ties by generation order). Deterministic: the same arguments give equal
    lists. Events that would fall after the window (a reply not yet written) are left out.

    Ids carry the seed, start and length (``ev-2025-20250715-31d-000001``,
    ``vb-2025-20250715-31d-00001``) so a different window never reuses an id with a
    different payload (a 409 at the service).

    ``volume`` scales every unit's daily rates (the `large` size, scripts/demo/large.py);
    ``codes`` are the units' short names in document numbers (default: the demo's)."""
    if days < 1:
        raise ValueError("days must be at least 1")
    return _Generator(units, officials, start, days, seed, volume, codes).run()


# --------------------------------------------------------------------------------------------
# Delivery
# --------------------------------------------------------------------------------------------

MAX_BATCH = 500  # the service accepts 1 to 500 events per request


def delivery_plan(
    events: Sequence[dict[str, Any]],
    *,
    seed: int,
    batch_size: int = 50,
    duplicate_rate: float = 0.03,
    shuffle_window: int = 150,
) -> list[list[dict[str, Any]]]:
    """Cut ``events`` into webhook batches as a real sender would deliver them.

    Events keep their order up to a random displacement of at most ``shuffle_window``
    positions (so delivery is out of order within a window, and an event may arrive before
    one that happened earlier). About ``duplicate_rate`` of the events are delivered again,
    as identical copies, 1 to 4 batches after their first delivery (trailing batches are
    added for the last ones). Batches hold ``batch_size`` events plus the redeliveries that
    land in them, never more than 500; every event is in at least one batch. A first
    delivery is the given event object itself, a redelivery a deep copy of it.
    """
    if not 1 <= batch_size <= MAX_BATCH:
        raise ValueError(f"batch_size must be between 1 and {MAX_BATCH}")
    rng = random.Random(f"khong-giay/delivery/{seed}")
    keyed = sorted((i + rng.uniform(0, shuffle_window), i) for i in range(len(events)))
    order = [i for _key, i in keyed]
    base = [order[k : k + batch_size] for k in range(0, len(order), batch_size)]
    extras: dict[int, list[int]] = {}
    for b, batch in enumerate(base):
        for i in batch:
            if rng.random() < duplicate_rate:
                extras.setdefault(b + rng.randint(1, 4), []).append(i)
    plan: list[list[dict[str, Any]]] = []
    carry: list[int] = []
    delivered: set[int] = set()
    last = max([len(base) - 1, *extras])
    b = 0
    while b <= last or carry:
        indices = list(base[b]) if b < len(base) else []
        pending = carry + extras.get(b, [])
        room = MAX_BATCH - len(indices)
        for i in pending[:room]:
            indices.insert(rng.randint(0, len(indices)), i)
        carry = pending[room:]
        if indices:
            request: list[dict[str, Any]] = []
            for i in indices:
                request.append(_copy(events[i]) if i in delivered else events[i])
                delivered.add(i)
            plan.append(request)
        b += 1
    return plan


# --------------------------------------------------------------------------------------------
# Sending
# --------------------------------------------------------------------------------------------


def _copy(value: Any) -> Any:
    """A deep copy of JSON data (dicts, lists, scalars); much faster than copy.deepcopy."""
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


class SendError(RuntimeError):
    """The service refused a batch (a 4xx other than 429), or kept failing after retries."""

    def __init__(self, message: str, status: int | None = None, body: str = "") -> None:
        super().__init__(f"{message}: HTTP {status}: {body}" if status else f"{message}: {body}")
        self.status = status
        self.body = body


@dataclass
class SendSummary:
    batches: int = 0  # batches delivered (first deliveries)
    events: int = 0  # events in them, duplicates included
    accepted: int = 0  # from the service's answers to first deliveries
    duplicates: int = 0
    requests: int = 0  # HTTP requests made, retries and redeliveries included
    retries: int = 0  # requests repeated after a 5xx, a 429 or a connection error
    redeliveries: int = 0  # whole batches re-sent with the same webhook-id
    redeliveries_identical: int = 0  # of those, answered exactly as the first time
    seconds: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)

    def __str__(self) -> str:
        return (
            f"{self.batches} batches, {self.events} events: {self.accepted} accepted, "
            f"{self.duplicates} duplicates; {self.requests} requests "
            f"({self.retries} retries, {self.redeliveries} webhook redeliveries, "
            f"{self.redeliveries_identical} answered identically) in {self.seconds:.1f} s"
        )


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def send(
    batches: Sequence[Sequence[dict[str, Any]]],
    *,
    base_url: str,
    source_id: str,
    secret: str,
    session: Any = None,
    path_template: str = "/webhooks/{source_id}",
    redeliver_every: int = 20,
    max_attempts: int = 6,
    backoff: float = 0.5,
    max_backoff: float = 30.0,
    timeout: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[int, int, SendSummary], None] | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(tz=UTC),
) -> SendSummary:
    """POST every batch as ``{"events": [...]}`` (UTF-8 JSON, Vietnamese kept as is) to
    ``base_url + path_template``, signed per Standard Webhooks with ``secret``.

    Each batch gets a fresh ``webhook-id``; the ``webhook-timestamp`` is the time of each
    request (the service allows 5 minutes of skew), so a retry is re-signed. A 5xx, a 429 or
    a connection error is retried with the same ``webhook-id`` after ``Retry-After`` when the
    service gives one (seconds or an HTTP date, capped at 120 s), else after an exponential
    backoff (``backoff`` doubling with each attempt up to ``max_backoff``), at most
    ``max_attempts`` requests per delivery; any other 4xx raises
    :class:`SendError` with the response body. Every ``redeliver_every``-th batch (0: never)
    is then sent again with the same ``webhook-id``, as a sender does when it missed the
    answer; the service must answer identically, and that answer is not counted twice.
    ``progress(done, total, summary)`` is called after each batch. ``now`` is the signing
    time (a service in-process on a set clock is given that clock).
    """
    import requests
    from standardwebhooks.webhooks import Webhook

    signer = Webhook(secret)
    url = base_url.rstrip("/") + path_template.format(source_id=quote(source_id, safe=""))
    own_session = session is None
    http = requests.Session() if own_session else session
    summary = SendSummary()
    began = time.monotonic()

    def post(msg_id: str, payload: str) -> tuple[int, str]:
        status: int | None
        body = payload.encode("utf-8")
        for attempt in range(1, max_attempts + 1):
            signed_at = now()
            headers = {
                "content-type": "application/json; charset=utf-8",
                "webhook-id": msg_id,
                "webhook-timestamp": str(int(signed_at.timestamp())),
                "webhook-signature": signer.sign(msg_id, signed_at, payload),
            }
            summary.requests += 1
            wait: float | None = None
            try:
                response = http.post(url, data=body, headers=headers, timeout=timeout)
            except (requests.ConnectionError, requests.Timeout) as exc:
                status, text = None, str(exc)
            else:
                status = response.status_code
                text = response.content.decode("utf-8", errors="replace")
                summary.statuses[status] += 1
                if 200 <= status < 300:
                    return status, text
                if status != 429 and status < 500:
                    raise SendError(f"batch {msg_id} refused", status, text)
                wait = _retry_after(response.headers.get("Retry-After"))
            if attempt == max_attempts:
                raise SendError(f"batch {msg_id} failed after {attempt} attempts", status, text)
            summary.retries += 1
            sleep(
                min(wait, 120.0)
                if wait is not None
                else min(max_backoff, backoff * 2 ** (attempt - 1))
            )
        raise AssertionError("unreachable")

    try:
        for n, batch in enumerate(batches, start=1):
            if not batch:  # the service takes 1 to 500 events
                continue
            msg_id = f"msg_{uuid.uuid4().hex}"
            payload = json.dumps({"events": list(batch)}, ensure_ascii=False, separators=(",", ":"))
            _status, text = post(msg_id, payload)
            answer = _parse_answer(text)
            summary.batches += 1
            summary.events += len(batch)
            summary.accepted += int(answer.get("accepted", 0))
            summary.duplicates += int(answer.get("duplicates", 0))
            if redeliver_every and n % redeliver_every == 0:
                _status, again = post(msg_id, payload)
                summary.redeliveries += 1
                if _parse_answer(again) == answer:
                    summary.redeliveries_identical += 1
            if progress is not None:
                progress(n, len(batches), summary)
    finally:
        summary.seconds = time.monotonic() - began
        if own_session:
            http.close()
    return summary


def _parse_answer(text: str) -> dict[str, Any]:
    try:
        answer = json.loads(text) if text else {}
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


# --------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    campaign = province.demo_campaign()
    parser = argparse.ArgumentParser(
        prog="python -m scripts.demo.simulator",
        description="Generate a month of document events for the demo province and post them "
        "to the webhook as signed batches. The demo registry must be loaded first "
        "(events naming unknown units are refused with 422).",
    )
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--source-id", default="demo-eoffice")
    parser.add_argument(
        "--secret",
        default=os.environ.get("DEMO_WEBHOOK_SECRET"),
        help="the source's whsec_... secret (default: $DEMO_WEBHOOK_SECRET)",
    )
    parser.add_argument(
        "--start",
        type=date.fromisoformat,
        default=date.fromisoformat(campaign["start_date"]),
        help="first local date (default: the campaign's start)",
    )
    parser.add_argument("--days", type=int, default=31)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--duplicate-rate", type=float, default=0.03)
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="generate and plan the batches, print figures, send nothing",
    )
    parser.add_argument(
        "--dump", metavar="PATH", help="also write the generated events to PATH (JSON lines)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not args.dry_run and not args.secret:
        print(
            "error: --secret (or DEMO_WEBHOOK_SECRET) is required unless --dry-run", file=sys.stderr
        )
        return 2
    units, officials = province.demo_units(), province.demo_officials()
    began = time.perf_counter()
    events = generate_month(units, officials, start=args.start, days=args.days, seed=args.seed)
    took = time.perf_counter() - began
    profiles = Counter(unit_profiles(units).values())
    print(f"units: {len(units)} ({', '.join(f'{k} {v}' for k, v in sorted(profiles.items()))})")
    print(
        f"events: {len(events)} from {args.start} for {args.days} days, seed {args.seed} "
        f"(generated in {took:.2f} s)"
    )
    for kind, n in sorted(Counter(e["type"] for e in events).items()):
        print(f"  {kind:<22} {n:>6}")
    batches = delivery_plan(
        events, seed=args.seed, batch_size=args.batch_size, duplicate_rate=args.duplicate_rate
    )
    total = sum(len(b) for b in batches)
    print(f"delivery: {len(batches)} batches, {total} events ({total - len(events)} redelivered)")
    if args.dump:
        with open(args.dump, "w", encoding="utf-8") as out:
            for event in events:
                out.write(json.dumps(event, ensure_ascii=False) + "\n")
        print(f"events written to {args.dump}")
    if args.dry_run:
        return 0

    def progress(done: int, count: int, summary: SendSummary) -> None:
        if done % 25 == 0 or done == count:
            print(
                f"  sent {done}/{count} batches: {summary.accepted} accepted, "
                f"{summary.duplicates} duplicates, {summary.retries} retries",
                flush=True,
            )

    print(f"sending to {args.base_url} as source {args.source_id}")
    try:
        summary = send(
            batches,
            base_url=args.base_url,
            source_id=args.source_id,
            secret=args.secret,
            progress=progress,
        )
    except SendError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"done: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
