"""The month of demo events (scripts/demo/simulator.py: generate_month, unit_profiles).

The validator and the KPI calculator below are written from DOMAIN.md independently of the
simulator, so they check what the service will see.
"""

import re
import time
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta, timezone

import pytest

from scripts.demo.province import demo_officials, demo_units
from scripts.demo.simulator import PROFILES, generate_month, unit_profiles

START = date(2025, 7, 15)
DAYS = 31
TZ7 = timezone(timedelta(hours=7))
ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
PERIOD_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
DECREE_30_TYPES = {
    "Nghị quyết",
    "Quyết định",
    "Chỉ thị",
    "Quy chế",
    "Quy định",
    "Thông cáo",
    "Thông báo",
    "Hướng dẫn",
    "Chương trình",
    "Kế hoạch",
    "Phương án",
    "Đề án",
    "Dự án",
    "Báo cáo",
    "Biên bản",
    "Tờ trình",
    "Hợp đồng",
    "Công văn",
    "Công điện",
    "Bản ghi nhớ",
    "Bản thỏa thuận",
    "Giấy ủy quyền",
    "Giấy mời",
    "Giấy giới thiệu",
    "Giấy nghỉ phép",
    "Phiếu gửi",
    "Phiếu chuyển",
    "Phiếu báo",
    "Thư công",
}
assert len(DECREE_30_TYPES) == 29
EXTRA = {  # type -> (required extra fields, optional extra fields)
    "document.registered": ({"direction"}, set()),
    "document.processed": ({"channel", "actor_official_id"}, {"due_at", "completed_at"}),
    "document.signed": ({"method", "signer_official_id"}, set()),
    "document.issued": ({"channel"}, set()),
    "document.sent": ({"to_unit_id", "channel"}, set()),
    "document.received": ({"from_unit_id", "channel"}, set()),
    "document.printed": ({"pages"}, set()),
    "official.evaluated": ({"official_id", "period", "score"}, set()),
}
PROVINCE_LEVELS = {"province", "department"}


def instant(stamp: str) -> datetime:
    assert RFC3339.match(stamp), stamp
    parsed = datetime.fromisoformat(stamp)
    assert parsed.tzinfo is not None, stamp
    return parsed


def local_date(event) -> date:
    return instant(event["occurred_at"]).astimezone(TZ7).date()


def validation_errors(event, unit_ids) -> list[str]:
    """Every way ``event`` breaks the DOMAIN.md field rules (empty when valid)."""
    errors = []
    kind = event.get("type")
    if kind not in EXTRA:
        return [f"unknown type {kind!r}"]
    required, optional = EXTRA[kind]
    base = {"event_id", "type", "occurred_at", "unit_id"}
    if kind.startswith("document."):
        base = base | {"document"}
    missing = (base | required) - set(event)
    unknown = set(event) - base - required - optional
    if missing:
        errors.append(f"missing {sorted(missing)}")
    if unknown:
        errors.append(f"unknown fields {sorted(unknown)}")
    if not (isinstance(event.get("event_id"), str) and event["event_id"]):
        errors.append("event_id")
    for key in ("occurred_at", "due_at", "completed_at"):
        if key in event:
            stamp = event[key]
            if not (isinstance(stamp, str) and RFC3339.match(stamp)):
                errors.append(f"{key} {stamp!r} is not RFC 3339 with an offset")
    if event.get("unit_id") not in unit_ids:
        errors.append(f"unit {event.get('unit_id')!r} not in the registry")
    doc = event.get("document")
    if kind.startswith("document.") and isinstance(doc, dict):
        if set(doc) - {"id", "number", "doc_type", "security", "state_commendation", "pages"}:
            errors.append(f"unknown document fields {sorted(doc)}")
        if not (isinstance(doc.get("id"), str) and doc["id"]):
            errors.append("document.id")
        if "doc_type" in doc and doc["doc_type"] not in DECREE_30_TYPES:
            errors.append(f"doc_type {doc['doc_type']!r}")
        if doc.get("security", "thuong") not in {"thuong", "mat", "toi_mat", "tuyet_mat"}:
            errors.append(f"security {doc.get('security')!r}")
        if not isinstance(doc.get("state_commendation", False), bool):
            errors.append("state_commendation")
        if "pages" in doc and not (isinstance(doc["pages"], int) and doc["pages"] > 0):
            errors.append("document.pages")
        if "number" in doc and not (isinstance(doc["number"], str) and doc["number"]):
            errors.append("document.number")
    choices = {
        "direction": {"incoming", "outgoing"},
        "channel": {"electronic", "paper"},
        "method": {"digital", "handwritten"},
    }
    for key, allowed in choices.items():
        if key in event and event[key] not in allowed:
            errors.append(f"{key} {event[key]!r}")
    for key in (
        "actor_official_id",
        "signer_official_id",
        "official_id",
        "to_unit_id",
        "from_unit_id",
    ):
        if key in event and not (isinstance(event[key], str) and ID_RE.match(event[key])):
            errors.append(key)
    if kind == "document.printed" and not (
        isinstance(event.get("pages"), int) and event["pages"] > 0
    ):
        errors.append("pages")
    if kind == "official.evaluated":
        if not PERIOD_RE.match(str(event.get("period"))):
            errors.append("period")
        score = event.get("score")
        if isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 100:
            errors.append("score")
    return errors


def is_exempt_doc(doc) -> bool:
    return doc.get("security", "thuong") != "thuong" or bool(doc.get("state_commendation"))


def compute_kpis(events, units, officials, first: date, last: date) -> dict[str, dict]:
    """Per-unit KPIs over [first, last] local dates, per the DOMAIN.md definitions."""
    level = {u["unit_id"]: u["level"] for u in units}
    unique = {e["event_id"]: e for e in events}.values()
    exempt = {
        e["document"]["id"] for e in unique if "document" in e and is_exempt_doc(e["document"])
    }
    docs: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    evaluated: dict[str, set] = defaultdict(set)
    for event in unique:
        if event["type"] == "official.evaluated":
            year, month = map(int, event["period"].split("-"))
            month_first = date(year, month, 1)
            month_last = (month_first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            if month_first <= last and month_last >= first:
                evaluated[event["unit_id"]].add(event["official_id"])
        elif event["document"]["id"] not in exempt:
            docs[event["unit_id"]][event["document"]["id"]].append(event)

    def in_period(evs) -> bool:
        return first <= local_date(min(evs, key=lambda e: instant(e["occurred_at"]))) <= last

    def ratio(a, b):
        return None if b == 0 else a / b

    result = {}
    for unit_id, unit_level in level.items():
        processed = online = issued = signed = e_issued = 0
        sent_pairs, received_pairs = defaultdict(list), defaultdict(list)
        for doc_id, evs in docs[unit_id].items():
            by_type = defaultdict(list)
            for e in evs:
                by_type[e["type"]].append(e)
            if by_type["document.processed"] and in_period(by_type["document.processed"]):
                processed += 1
                if (
                    all(e["channel"] == "electronic" for e in by_type["document.processed"])
                    and not by_type["document.printed"]
                ):
                    online += 1
            if by_type["document.issued"] and in_period(by_type["document.issued"]):
                issued += 1
                if any(e["method"] == "digital" for e in by_type["document.signed"]):
                    signed += 1
                if all(e["channel"] == "electronic" for e in by_type["document.issued"]):
                    e_issued += 1
            for e in by_type["document.sent"]:
                sent_pairs[(doc_id, e["to_unit_id"])].append(e)
            for e in by_type["document.received"]:
                received_pairs[(doc_id, e["from_unit_id"])].append(e)

        def electronic_with(pairs, other_levels) -> bool:
            return any(
                level.get(other) in other_levels
                and in_period(evs)
                and all(e["channel"] == "electronic" for e in evs)
                for (_doc, other), evs in pairs.items()
            )

        if unit_level == "division":
            two_way = None
        else:
            other = {"commune"} if unit_level in PROVINCE_LEVELS else PROVINCE_LEVELS
            two_way = electronic_with(sent_pairs, other) and electronic_with(received_pairs, other)
        active = {o["official_id"] for o in officials if o["unit_id"] == unit_id and o["active"]}
        kpis = {
            "processed_total": processed,
            "issued_total": issued,
            "online_rate": ratio(online, processed),
            "signing_rate": ratio(signed, issued),
            "e_issuance_rate": ratio(e_issued, issued),
            "kpi_coverage": ratio(len(active & evaluated[unit_id]), len(active)),
            "two_way_interconnection": two_way,
        }
        rates_ok = all(
            kpis[k] == 1.0
            for k in ("online_rate", "signing_rate", "e_issuance_rate", "kpi_coverage")
        )
        kpis["compliant"] = rates_ok and (unit_level == "division" or two_way is True)
        result[unit_id] = kpis
    return result


@pytest.fixture(scope="module")
def registry():
    return demo_units(), demo_officials()


@pytest.fixture(scope="module")
def month(registry):
    units, officials = registry
    began = time.process_time()  # the work done, whatever else the machine runs
    events = generate_month(units, officials, start=START, days=DAYS, seed=2025)
    return events, time.process_time() - began


@pytest.fixture(scope="module")
def events(month):
    return month[0]


@pytest.fixture(scope="module")
def profiles(registry):
    return unit_profiles(registry[0])


@pytest.fixture(scope="module")
def kpis(events, registry):
    units, officials = registry
    return compute_kpis(events, units, officials, START, START + timedelta(days=DAYS - 1))


def test_same_arguments_same_events(registry, events):
    units, officials = registry
    assert generate_month(units, officials, start=START, days=DAYS, seed=2025) == events


def test_other_seed_other_events_and_ids(registry, events):
    units, officials = registry
    other = generate_month(units, officials, start=START, days=DAYS, seed=7)
    assert other != events
    assert not {e["event_id"] for e in other} & {e["event_id"] for e in events}
    doc_ids = {e["document"]["id"] for e in events if "document" in e}
    assert not {e["document"]["id"] for e in other if "document" in e} & doc_ids


def test_fast_and_sized(month):
    events, seconds = month
    assert seconds < 2.0
    assert 10_000 <= len(events) <= 30_000
    counts = Counter(e["type"] for e in events)
    assert set(counts) == set(EXTRA)


def test_every_event_is_valid(registry, events):
    unit_ids = {u["unit_id"] for u in registry[0]}
    invalid = {}
    for index, event in enumerate(events):
        errors = validation_errors(event, unit_ids)
        if errors:
            invalid[index] = errors
    assert not invalid, dict(list(invalid.items())[:5])


def test_validator_catches_bad_events(registry):
    unit_ids = {u["unit_id"] for u in registry[0]}
    good = {
        "event_id": "x",
        "type": "document.sent",
        "occurred_at": "2025-07-15T08:00:00+07:00",
        "unit_id": "000.00.31.H34",
        "document": {"id": "d"},
        "to_unit_id": "000.00.00.H34",
        "channel": "electronic",
    }
    assert validation_errors(good, unit_ids) == []
    for change in (
        {"occurred_at": "2025-07-15T08:00:00"},
        {"channel": "fax"},
        {"unit_id": "nope"},
        {"extra": 1},
        {"document": {"id": "d", "security": "secret"}},
    ):
        assert validation_errors({**good, **change}, unit_ids), change


def test_ids_unique_events_sorted_and_inside_the_window(events):
    assert len({e["event_id"] for e in events}) == len(events)
    stamps = [instant(e["occurred_at"]) for e in events]
    assert stamps == sorted(stamps)
    assert local_date(events[0]) >= START and local_date(events[-1]) <= START + timedelta(
        days=DAYS - 1
    )


def test_offsets_mostly_local_some_utc(events):
    suffixes = Counter(
        "Z" if e["occurred_at"].endswith("Z") else e["occurred_at"][-6:] for e in events
    )
    assert set(suffixes) == {"+07:00", "Z"}
    assert 0.02 < suffixes["Z"] / len(events) < 0.2


def test_documents_are_consistent_across_events(events):
    seen: dict[str, dict] = {}
    for event in events:
        doc = event.get("document")
        if doc is None:
            continue
        fixed = {k: doc.get(k) for k in ("doc_type", "security", "state_commendation", "pages")}
        assert seen.setdefault(doc["id"], fixed) == fixed, doc
    numbers = defaultdict(set)
    for event in events:
        if "document" in event and "number" in event["document"]:
            numbers[event["document"]["id"]].add(event["document"]["number"])
    assert all(len(n) == 1 for n in numbers.values())
    texts = {n for ns in numbers.values() for n in ns}
    assert any(re.fullmatch(r"\d+/UBND-[A-Z]+", n) for n in texts)  # "123/UBND-KT"
    assert any(re.fullmatch(r"\d+/SNV-\w+", n) for n in texts)  # "45/SNV-TCCB"
    assert any("/QĐ-" in n for n in texts) and any("/KH-" in n for n in texts)
    doc_types = Counter(e["document"]["doc_type"] for e in events if "document" in e)
    assert {"Công văn", "Kế hoạch", "Quyết định", "Thông báo", "Báo cáo", "Tờ trình"} <= set(
        doc_types
    )


def test_officials_act_only_in_their_own_unit(registry, events):
    officials = {o["official_id"]: o for o in registry[1]}
    for event in events:
        for key in ("actor_official_id", "signer_official_id", "official_id"):
            if key in event:
                official = officials[event[key]]
                assert official["unit_id"] == event["unit_id"], event
                assert official["active"], event


def test_flows_are_in_order(events):
    by_doc = defaultdict(list)
    for event in events:
        if "document" in event:
            by_doc[event["document"]["id"]].append(event)
    checked = 0
    for evs in by_doc.values():
        kinds = {}
        for e in evs:
            kinds.setdefault(e["type"], instant(e["occurred_at"]))
        if "document.issued" in kinds:
            assert (
                kinds["document.registered"] <= kinds["document.signed"] <= kinds["document.issued"]
            )
            if "document.sent" in kinds:
                assert kinds["document.issued"] <= kinds["document.sent"]
            checked += 1
        sent = {
            (e["unit_id"], e["to_unit_id"]): instant(e["occurred_at"])
            for e in evs
            if e["type"] == "document.sent"
        }
        for e in evs:
            if e["type"] == "document.received" and (e["from_unit_id"], e["unit_id"]) in sent:
                assert sent[(e["from_unit_id"], e["unit_id"])] <= instant(e["occurred_at"])
    assert checked > 1000


def test_processing_has_deadlines_and_some_are_late(events):
    processed = [e for e in events if e["type"] == "document.processed"]
    with_due = [e for e in processed if "due_at" in e]
    assert 0.7 < len(with_due) / len(processed) < 0.95
    assert any("completed_at" in e for e in processed)
    late = [
        e
        for e in with_due
        if instant(e.get("completed_at", e["occurred_at"])) > instant(e["due_at"])
    ]
    assert 0 < len(late) < 0.2 * len(with_due)


def test_exempt_documents_of_every_kind(events):
    securities = Counter(e["document"]["security"] for e in events if "document" in e)
    assert {"thuong", "mat", "toi_mat", "tuyet_mat"} <= set(securities)
    assert any(e["document"]["state_commendation"] for e in events if "document" in e)
    exempt_docs = {
        e["document"]["id"] for e in events if "document" in e and is_exempt_doc(e["document"])
    }
    all_docs = {e["document"]["id"] for e in events if "document" in e}
    assert 0.01 < len(exempt_docs) / len(all_docs) < 0.15


def test_profiles_are_deterministic_and_cover_every_kind(registry, profiles):
    units = registry[0]
    assert unit_profiles(list(reversed(units))) == profiles
    assert set(profiles) == {u["unit_id"] for u in units}
    assert set(profiles.values()) == set(PROFILES)
    level = {u["unit_id"]: u["level"] for u in units}
    for unit in units:
        if unit["level"] == "division":
            assert profiles[unit["unit_id"]] == profiles[unit["parent_id"]]
        if unit["level"] == "province":
            assert profiles[unit["unit_id"]] == "compliant"
    assert all(level[u] == "commune" for u, p in profiles.items() if p == "no_interconnection")
    silent = [u for u, p in profiles.items() if p == "silent" and level[u] != "division"]
    assert 2 <= len(silent) <= 10


def test_silent_units_send_nothing(events, profiles):
    acting = {e["unit_id"] for e in events}
    assert not {u for u, p in profiles.items() if p == "silent"} & acting
    assert {u for u, p in profiles.items() if p != "silent"} <= acting


def test_compliant_units_keep_everything_electronic(events, profiles):
    """Outside secret documents and state dossiers (which stay on paper and are exempt), a
    compliant unit never processes, issues or sends on paper, prints or signs by hand. (It
    may still receive paper from a unit that is not compliant.)"""
    for event in events:
        if (
            profiles[event["unit_id"]] != "compliant"
            or "document" not in event
            or is_exempt_doc(event["document"])
        ):
            continue
        assert event["type"] != "document.printed", event
        assert event.get("method") != "handwritten", event
        if event["type"] != "document.received":
            assert event.get("channel", "electronic") == "electronic", event


def test_profiles_show_their_habits(registry, events, profiles):
    level = {u["unit_id"]: u["level"] for u in registry[0]}
    habits: dict[str, Counter] = defaultdict(Counter)
    for event in events:
        if "document" not in event or is_exempt_doc(event["document"]):
            continue
        unit = event["unit_id"]
        if event["type"] == "document.printed" or (
            event["type"] == "document.processed" and event["channel"] == "paper"
        ):
            habits[unit]["paper"] += 1
        if event.get("method") == "handwritten":
            habits[unit]["handwritten"] += 1
        if event["type"] == "document.sent" and level.get(event["to_unit_id"]) in PROVINCE_LEVELS:
            habits[unit]["sent_up_" + event["channel"]] += 1
    for unit, profile in profiles.items():
        if level[unit] == "division":
            continue
        if profile == "paper_habits":
            assert habits[unit]["paper"] > 0, unit
        elif profile == "weak_signing":
            assert habits[unit]["handwritten"] > 0, unit
        elif profile == "no_interconnection":
            assert habits[unit]["sent_up_paper"] > 0 and not habits[unit]["sent_up_electronic"]
        if profile != "paper_habits":
            assert habits[unit]["paper"] == 0, unit
        if profile != "weak_signing":
            assert habits[unit]["handwritten"] == 0, unit


def test_compliant_profiles_are_fully_compliant(registry, profiles, kpis):
    units = {u["unit_id"]: u for u in registry[0]}
    for unit_id, profile in profiles.items():
        unit_kpis = kpis[unit_id]
        if profile == "compliant":
            assert unit_kpis["compliant"], (units[unit_id]["name"], unit_kpis)
            assert unit_kpis["processed_total"] > 0 and unit_kpis["issued_total"] > 0
        elif units[unit_id]["level"] != "division":
            assert not unit_kpis["compliant"], (units[unit_id]["name"], profile, unit_kpis)
    compliant_names = {units[u]["name"] for u, k in kpis.items() if k["compliant"]}
    assert "Sở Khoa học và Công nghệ" in compliant_names
    assert "UBND phường Nha Trang" in compliant_names


def test_two_way_interconnection_by_profile(profiles, kpis):
    for unit_id, profile in profiles.items():
        two_way = kpis[unit_id]["two_way_interconnection"]
        if two_way is None:  # divisions: not applicable
            continue
        assert two_way is (profile not in ("no_interconnection", "silent")), unit_id


def test_kpi_coverage_full_only_where_promised(registry, profiles, kpis):
    level = {u["unit_id"]: u["level"] for u in registry[0]}
    coverages = [
        kpis[u]["kpi_coverage"]
        for u, p in profiles.items()
        if p not in ("compliant", "silent") and level[u] != "division"
    ]
    assert any(c is not None and c < 1 for c in coverages)


def test_divisions_process_and_submit_documents(registry, events):
    divisions = {u["unit_id"] for u in registry[0] if u["level"] == "division"}
    kinds = Counter(e["type"] for e in events if e["unit_id"] in divisions)
    assert kinds["document.processed"] > 500
    assert kinds["document.issued"] > 50
    assert len({e["unit_id"] for e in events if e["unit_id"] in divisions}) > 40


def test_evaluations_cover_both_months(events):
    periods = Counter(e["period"] for e in events if e["type"] == "official.evaluated")
    assert set(periods) == {"2025-07", "2025-08"}


def test_external_counterparts_are_outside_the_registry(registry, events):
    unit_ids = {u["unit_id"] for u in registry[0]}
    outside = {
        e.get("to_unit_id") or e.get("from_unit_id")
        for e in events
        if e["type"] in ("document.sent", "document.received")
    } - unit_ids
    assert outside and all(ID_RE.match(u) for u in outside)


def test_small_registry_and_short_window():
    units = [
        {"unit_id": "P", "name": "UBND tỉnh", "level": "province", "parent_id": None},
        {"unit_id": "D", "name": "Sở Nội vụ", "level": "department", "parent_id": "P"},
        {"unit_id": "D1", "name": "Văn phòng", "level": "division", "parent_id": "D"},
        {"unit_id": "C", "name": "UBND phường Nha Trang", "level": "commune", "parent_id": "P"},
    ]
    officials = [
        {
            "official_id": f"{u}-{n}",
            "unit_id": u,
            "full_name": "Nguyễn Văn An",
            "position": position,
            "active": True,
        }
        for u in ("P", "D", "D1", "C")
        for n, position in enumerate(("Giám đốc", "Chuyên viên"))
    ]
    assert unit_profiles(units) == dict.fromkeys(("P", "D", "D1", "C"), "compliant")
    events = generate_month(units, officials, start=date(2025, 7, 15), days=3, seed=1)
    assert events
    assert not [e for e in events if validation_errors(e, {"P", "D", "D1", "C"})]
    with pytest.raises(ValueError):
        generate_month(units, officials, start=date(2025, 7, 15), days=0)
