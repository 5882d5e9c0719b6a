"""Example-based tests of every KPI formula (DOMAIN.md "KPI definitions").

Most tests go through the real pipeline (fold -> contributions -> daily sums -> metrics) via
``unit_kpis`` / ``official_kpis``, which also assert equality with the reference oracle, and
then check hand-computed figures.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, timedelta, timezone
from decimal import Decimal

import pytest

from chalicelib.domain import daily_counters, document_state, evaluations, instants, kpi, vocabulary
from tests.unit.conftest import (
    TZ,
    add_into,
    daily_rows,
    ev,
    evaluated,
    issued,
    official_kpis,
    printed,
    processed,
    received,
    registered,
    sent,
    signed,
    unit_kpis,
)

D15, D16, D17 = date(2025, 7, 15), date(2025, 7, 16), date(2025, 7, 17)


def contrib(events, tz=TZ):
    return daily_counters.contributions(document_state.fold_events(None, events), tz)


# --- instants and local dates ---------------------------------------------------------------


class TestInstants:
    def test_parse_is_exact_microseconds_utc(self):
        assert instants.parse_instant_us("1970-01-01T00:00:00Z") == 0
        assert instants.parse_instant_us("1970-01-01T07:00:00.000001+07:00") == 1
        assert (
            instants.parse_instant_us("2025-07-15T17:00:00+00:00")
            == instants.parse_instant_us("2025-07-16T00:00:00+07:00")
            == instants.parse_instant_us("2025-07-15T12:00:00-05:00")
        )
        assert isinstance(instants.parse_instant_us("2025-07-15T17:00:00Z"), int)

    def test_before_epoch(self):
        assert instants.parse_instant_us("1969-12-31T23:59:59.999999Z") == -1

    @pytest.mark.parametrize("bad", ["2025-07-15T10:00:00", "2025-07-15", "nonsense"])
    def test_rejects_instants_without_offset(self, bad):
        with pytest.raises(ValueError):
            instants.parse_instant_us(bad)

    def test_local_midnight_boundary(self):
        assert instants.local_date(instants.parse_instant_us("2025-07-15T16:59:59Z"), TZ) == D15
        assert (
            instants.local_date(instants.parse_instant_us("2025-07-15T16:59:59.999999Z"), TZ) == D15
        )
        assert instants.local_date(instants.parse_instant_us("2025-07-15T17:00:00Z"), TZ) == D16

    def test_local_date_other_zone(self):
        us = instants.parse_instant_us("2025-07-15T16:59:59Z")
        assert instants.local_date(us, UTC) == D15
        assert instants.local_date(us, timezone(timedelta(hours=9))) == D16


# --- dating ------------------------------------------------------------------------------


class TestDating:
    def test_165959z_and_170000z_land_on_different_local_days(self):
        events = [
            processed("a", "2025-07-15T16:59:59Z", doc="A"),
            processed("b", "2025-07-15T17:00:00Z", doc="B"),
        ]
        rows = daily_rows(events)
        assert rows[("unit#C1", "2025-07-15")] == {
            "processed_total": 1,
            "processed_online": 1,
        }
        assert rows[("unit#C1", "2025-07-16")] == {
            "processed_total": 1,
            "processed_online": 1,
        }
        assert unit_kpis(events, "C1", D15)["processed_total"] == 1
        assert unit_kpis(events, "C1", D16)["processed_total"] == 1
        assert unit_kpis(events, "C1", D15, D16)["processed_total"] == 2

    @pytest.mark.parametrize(
        ("at", "expected"),
        [
            ("2025-07-15T16:59:59+00:00", D15),
            ("2025-07-15T17:00:00+00:00", D16),
            ("2025-07-15T11:59:59-05:00", D15),  # 16:59:59Z
            ("2025-07-15T12:00:00-05:00", D16),  # 17:00:00Z
            ("2025-07-16T01:59:59+09:00", D15),  # 16:59:59Z the day before in +09:00 terms
            ("2025-07-16T02:00:00+09:00", D16),
            ("2025-07-15T23:59:59+07:00", D15),
            ("2025-07-16T00:00:00+07:00", D16),
        ],
    )
    def test_offsets_are_converted_to_campaign_local_date(self, at, expected):
        rows = daily_rows([processed("a", at)])
        assert set(rows) == {
            ("unit#C1", expected.isoformat()),
            ("official#O1", expected.isoformat()),
        }
        assert unit_kpis([processed("a", at)], "C1", expected)["processed_total"] == 1

    def test_first_event_is_by_instant_not_by_string_or_arrival(self):
        # "2025-07-16T08:00+09:00" (= 23:00Z on 15th, 06:00 local on the 16th) is earlier than
        # "2025-07-16T00:30+00:00" (= 07:30 local on the 16th) although it sorts later as text.
        late_text_early_instant = processed(
            "z", "2025-07-16T08:00:00+09:00", due_at="2025-07-16T07:00:00+07:00"
        )
        other = processed("a", "2025-07-16T00:30:00+00:00", due_at="2025-07-16T00:00:00+00:00")
        for order in ([other, late_text_early_instant], [late_text_early_instant, other]):
            state = document_state.fold_events(None, order)
            assert state["units"]["C1"]["processed"][1] == "z"
            # first (z) completed 06:00 local, due 07:00 local -> on time
            assert unit_kpis(order, "C1", D16)["on_time"] == 1

    def test_equal_instants_tie_break_by_event_id(self):
        b = processed("e-b", "2025-07-15T10:00:00+07:00", due_at="2025-07-15T11:00:00+07:00")
        a = processed("e-a", "2025-07-15T03:00:00Z")  # same instant, no due_at
        for order in ([a, b], [b, a]):
            assert document_state.fold_events(None, order)["units"]["C1"]["processed"][1] == "e-a"
            m = unit_kpis(order, "C1", D15)
            assert (m["on_time_total"], m["processed_total"]) == (0, 1)

    def test_document_counted_once_per_criterion_over_several_days(self):
        events = [
            processed("p1", "2025-07-15T09:00:00+07:00"),
            processed("p2", "2025-07-16T09:00:00+07:00"),
            processed("p3", "2025-07-17T09:00:00+07:00"),
        ]
        assert unit_kpis(events, "C1", D15, D17)["processed_total"] == 1
        assert unit_kpis(events, "C1", D16, D17)["processed_total"] == 0


# --- processed / online ------------------------------------------------------------------


class TestProcessed:
    def test_online_document(self):
        m = unit_kpis([processed("p1", "2025-07-15T09:00:00+07:00")], "C1", D15)
        assert (m["processed_total"], m["processed_online"], m["online_rate"]) == (1, 1, 1.0)

    def test_processed_twice_on_paper_later_same_day(self):
        events = [
            processed("p1", "2025-07-15T09:00:00+07:00"),
            processed("p2", "2025-07-15T15:00:00+07:00", channel="paper"),
        ]
        m = unit_kpis(events, "C1", D15)
        assert (m["processed_total"], m["processed_online"], m["online_rate"]) == (1, 0, 0.0)

    def test_late_paper_event_on_a_later_day_removes_online_from_first_day(self):
        first = [processed("p1", "2025-07-15T09:00:00+07:00")]
        old = contrib(first)
        new = contrib([*first, processed("p2", "2025-07-17T09:00:00+07:00", channel="paper")])
        assert daily_counters.diff_contributions(old, new) == {
            ("unit#C1", "2025-07-15"): {"processed_online": -1},
            ("official#O1", "2025-07-15"): {"processed_online": -1},
            # a paper processed event books the document's pages (0 here: nothing to add)
        }
        events = [*first, processed("p2", "2025-07-17T09:00:00+07:00", channel="paper")]
        assert unit_kpis(events, "C1", D15)["online_rate"] == 0.0
        # the later day has no processed document of its own
        assert unit_kpis(events, "C1", D17)["online_rate"] is None

    def test_late_paper_event_on_an_earlier_day_moves_the_document(self):
        electronic = processed("p2", "2025-07-16T09:00:00+07:00")
        paper = processed("p1", "2025-07-15T09:00:00+07:00", channel="paper", doc_pages=3)
        rows: daily_counters.Contributions = {}
        state = document_state.fold_events(None, [electronic])
        add_into(
            rows, daily_counters.diff_contributions({}, daily_counters.contributions(state, TZ))
        )
        assert rows[("unit#C1", "2025-07-16")] == {"processed_total": 1, "processed_online": 1}
        new_state = document_state.fold_events(state, [paper])  # arrives late
        delta = daily_counters.diff_contributions(
            daily_counters.contributions(state, TZ), daily_counters.contributions(new_state, TZ)
        )
        assert delta[("unit#C1", "2025-07-16")] == {"processed_total": -1, "processed_online": -1}
        assert delta[("unit#C1", "2025-07-15")] == {"processed_total": 1, "paper_pages": 3}
        add_into(rows, delta)
        assert ("unit#C1", "2025-07-16") not in rows
        m = unit_kpis([electronic, paper], "C1", D15, D16, rows=rows)
        assert (m["processed_total"], m["processed_online"], m["paper_pages"]) == (1, 0, 3)

    def test_printed_event_disqualifies_processing_but_not_issuance(self):
        events = [
            processed("p1", "2025-07-15T09:00:00+07:00"),
            issued("i1", "2025-07-15T10:00:00+07:00"),
            signed("s1", "2025-07-15T09:30:00+07:00"),
            printed("pr1", "2025-07-18T10:00:00+07:00", pages=2),
        ]
        m = unit_kpis(events, "C1", D15, date(2025, 7, 18))
        assert (m["processed_online"], m["online_rate"]) == (0, 0.0)
        assert (m["issued_online"], m["e_issuance_rate"], m["signing_rate"]) == (1, 1.0, 1.0)
        assert m["paper_pages"] == 2

    def test_other_units_paper_does_not_disqualify(self):
        events = [
            processed("p1", "2025-07-15T09:00:00+07:00", unit="C1"),
            processed("p2", "2025-07-15T09:00:00+07:00", unit="D1", channel="paper"),
            printed("pr", "2025-07-15T10:00:00+07:00", unit="D1"),
        ]
        assert unit_kpis(events, "C1", D15)["online_rate"] == 1.0
        assert unit_kpis(events, "D1", D15)["online_rate"] == 0.0

    def test_printed_without_processing_counts_no_processed_document(self):
        m = unit_kpis([printed("pr", "2025-07-15T10:00:00+07:00", pages=4)], "C1", D15)
        assert (m["processed_total"], m["online_rate"], m["paper_pages"]) == (0, None, 4)

    def test_rates_over_several_documents(self):
        events = [
            processed("a1", "2025-07-15T09:00:00+07:00", doc="A"),
            processed("b1", "2025-07-15T09:00:00+07:00", doc="B", channel="paper"),
            processed("c1", "2025-07-15T09:00:00+07:00", doc="C"),
            processed("d1", "2025-07-15T09:00:00+07:00", doc="D"),
            printed("d2", "2025-07-15T11:00:00+07:00", doc="D"),
        ]
        m = unit_kpis(events, "C1", D15)
        assert (m["processed_total"], m["processed_online"], m["online_rate"]) == (4, 2, 0.5)

    def test_same_document_id_in_two_sources_are_two_documents(self):
        events = [
            processed("e1", "2025-07-15T09:00:00+07:00", source="s1"),
            processed("e1", "2025-07-15T09:00:00+07:00", source="s2", channel="paper"),
        ]
        m = unit_kpis(events, "C1", D15)
        assert (m["processed_total"], m["processed_online"]) == (2, 1)


class TestOnTime:
    def test_completed_at_defaults_to_occurred_at(self):
        events = [
            processed(
                "a", "2025-07-15T09:00:00+07:00", doc="A", due_at="2025-07-15T09:00:00+07:00"
            ),  # exactly at due: on time
            processed(
                "b", "2025-07-15T09:00:01+07:00", doc="B", due_at="2025-07-15T09:00:00+07:00"
            ),  # one second late
            processed("c", "2025-07-15T09:00:00+07:00", doc="C"),  # no due_at: not counted
        ]
        m = unit_kpis(events, "C1", D15)
        assert (m["on_time_total"], m["on_time"], m["on_time_rate"]) == (2, 1, 0.5)

    def test_completed_at_is_compared_as_instant(self):
        events = [
            processed(
                "a",
                "2025-07-20T09:00:00+07:00",
                doc="A",
                completed_at="2025-07-15T02:00:00Z",  # 09:00 local
                due_at="2025-07-15T09:00:00+07:00",
            ),
            processed(
                "b",
                "2025-07-20T09:00:00+07:00",
                doc="B",
                completed_at="2025-07-15T09:00:00+07:00",
                due_at="2025-07-15T01:59:59Z",
            ),  # 08:59:59 local
        ]
        m = unit_kpis(events, "C1", date(2025, 7, 20))
        assert (m["on_time_total"], m["on_time"]) == (2, 1)

    def test_only_the_first_processed_event_decides(self):
        events = [
            processed("a", "2025-07-15T09:00:00+07:00"),  # first, no due_at
            processed("b", "2025-07-16T09:00:00+07:00", due_at="2025-07-17T00:00:00+07:00"),
        ]
        m = unit_kpis(events, "C1", D15, D16)
        assert (m["on_time_total"], m["on_time_rate"]) == (0, None)
        late = [
            processed("a", "2025-07-15T09:00:00+07:00", due_at="2025-07-14T00:00:00+07:00"),
            processed("b", "2025-07-16T09:00:00+07:00", due_at="2025-07-17T00:00:00+07:00"),
        ]
        m = unit_kpis(late, "C1", D15, D16)
        assert (m["on_time_total"], m["on_time"], m["on_time_rate"]) == (1, 0, 0.0)


# --- issued / signed ---------------------------------------------------------------------


class TestIssued:
    def test_digitally_signed_and_issued_online(self):
        events = [
            signed("s", "2025-07-15T08:00:00+07:00"),
            issued("i", "2025-07-15T09:00:00+07:00"),
        ]
        m = unit_kpis(events, "C1", D15)
        assert (m["issued_total"], m["issued_signed_digitally"], m["issued_online"]) == (1, 1, 1)
        assert (m["signing_rate"], m["e_issuance_rate"]) == (1.0, 1.0)

    def test_handwritten_signature_and_paper_issue(self):
        events = [
            signed("s", "2025-07-15T08:00:00+07:00", method="handwritten"),
            issued("i1", "2025-07-15T09:00:00+07:00"),
            issued("i2", "2025-07-16T09:00:00+07:00", channel="paper"),  # later paper issue
        ]
        m = unit_kpis(events, "C1", D15)
        assert (m["issued_total"], m["issued_signed_digitally"], m["issued_online"]) == (1, 0, 0)
        assert unit_kpis(events, "C1", D16)["issued_total"] == 0

    def test_signature_after_issue_still_qualifies(self):
        events = [
            issued("i", "2025-07-15T09:00:00+07:00"),
            signed("s", "2025-07-18T08:00:00+07:00"),
        ]
        assert unit_kpis(events, "C1", D15)["signing_rate"] == 1.0

    def test_signature_by_another_unit_does_not_count(self):
        events = [
            issued("i", "2025-07-15T09:00:00+07:00", unit="C1"),
            signed("s", "2025-07-15T08:00:00+07:00", unit="D1"),
        ]
        assert unit_kpis(events, "C1", D15)["signing_rate"] == 0.0

    def test_signed_without_issue_is_not_issued(self):
        m = unit_kpis([signed("s", "2025-07-15T08:00:00+07:00")], "C1", D15)
        assert (m["issued_total"], m["signing_rate"], m["e_issuance_rate"]) == (0, None, None)


# --- sent / received ---------------------------------------------------------------------


class TestSentReceived:
    def test_pairs_dated_by_first_sent_event(self):
        events = [
            sent("s1", "2025-07-15T09:00:00+07:00", "D1"),
            sent("s2", "2025-07-16T09:00:00+07:00", "D1"),  # same pair, still electronic
            sent("s3", "2025-07-16T09:00:00+07:00", "D2"),
            sent("s4", "2025-07-16T09:00:00+07:00", "C2", channel="paper"),
            sent("s5", "2025-07-15T09:00:00+07:00", "MINISTRY.X"),
            sent("s6", "2025-07-17T09:00:00+07:00", "MINISTRY.X", channel="paper"),
        ]
        rows = daily_rows(events)
        assert rows[("unit#C1", "2025-07-15")] == {
            "sent_electronic": 1,
            "pair|D1|sent_electronic": 1,
            "sent_paper": 1,
            "pair|MINISTRY.X|sent_paper": 1,
        }
        assert rows[("unit#C1", "2025-07-16")] == {
            "sent_electronic": 1,
            "pair|D2|sent_electronic": 1,
            "sent_paper": 1,
            "pair|C2|sent_paper": 1,
        }
        m = unit_kpis(events, "C1", D15, D17)
        assert (m["sent_electronic"], m["sent_paper"]) == (2, 2)

    def test_received_pairs(self):
        events = [
            received("r1", "2025-07-15T09:00:00+07:00", "D1"),
            received("r2", "2025-07-15T10:00:00+07:00", "D1", channel="paper"),
            received("r3", "2025-07-15T09:00:00+07:00", "D2", doc="OTHER"),
        ]
        m = unit_kpis(events, "C1", D15)
        assert (m["received_electronic"], m["received_paper"]) == (1, 1)
        totals = daily_counters.sum_daily(
            r for (s, _), r in daily_rows(events).items() if s == "unit#C1"
        )
        assert daily_counters.interconnection_pairs(totals) == {
            "D1": {
                "sent_electronic": 0,
                "sent_paper": 0,
                "received_electronic": 0,
                "received_paper": 1,
            },
            "D2": {
                "sent_electronic": 0,
                "sent_paper": 0,
                "received_electronic": 1,
                "received_paper": 0,
            },
        }

    def test_same_counterpart_two_documents_are_two_pairs(self):
        events = [
            sent("a", "2025-07-15T09:00:00+07:00", "D1", doc="A"),
            sent("b", "2025-07-15T09:00:00+07:00", "D1", doc="B"),
        ]
        assert unit_kpis(events, "C1", D15)["sent_electronic"] == 2


class TestTwoWayInterconnection:
    @staticmethod
    def exchange(unit, counterpart, *, sent_channel="electronic", recv_channel="electronic"):
        return [
            sent(
                f"s-{unit}",
                "2025-07-15T09:00:00+07:00",
                counterpart,
                unit=unit,
                doc="X",
                channel=sent_channel,
            ),
            received(
                f"r-{unit}",
                "2025-07-15T09:00:00+07:00",
                counterpart,
                unit=unit,
                doc="Y",
                channel=recv_channel,
            ),
        ]

    def test_commune_with_department(self):
        assert unit_kpis(self.exchange("C1", "D1"), "C1", D15)["two_way_interconnection"] is True

    def test_commune_with_province(self):
        assert unit_kpis(self.exchange("C1", "P"), "C1", D15)["two_way_interconnection"] is True

    def test_department_with_commune(self):
        assert unit_kpis(self.exchange("D1", "C2"), "D1", D15)["two_way_interconnection"] is True

    def test_sent_and_received_may_use_different_counterparts(self):
        events = [
            sent("s", "2025-07-15T09:00:00+07:00", "D1", doc="X"),
            received("r", "2025-07-15T09:00:00+07:00", "P", doc="Y"),
        ]
        assert unit_kpis(events, "C1", D15)["two_way_interconnection"] is True

    def test_one_way_only(self):
        events = self.exchange("C1", "D1")[:1]
        assert unit_kpis(events, "C1", D15)["two_way_interconnection"] is False

    @pytest.mark.parametrize(
        ("sent_channel", "recv_channel"),
        [("electronic", "paper"), ("paper", "electronic"), ("paper", "paper")],
    )
    def test_paper_pairs_do_not_count(self, sent_channel, recv_channel):
        events = self.exchange("C1", "D1", sent_channel=sent_channel, recv_channel=recv_channel)
        m = unit_kpis(events, "C1", D15)
        assert m["two_way_interconnection"] is False
        assert m["sent_paper"] + m["received_paper"] >= 1

    def test_pair_turned_paper_by_a_later_event(self):
        events = [
            *self.exchange("C1", "D1"),
            received("r-late", "2025-07-16T09:00:00+07:00", "D1", doc="Y", channel="paper"),
        ]
        assert unit_kpis(events, "C1", D15, D16)["two_way_interconnection"] is False

    def test_counterpart_outside_registry(self):
        events = self.exchange("C1", "BO.NOI.VU")
        m = unit_kpis(events, "C1", D15)
        assert m["two_way_interconnection"] is False
        assert (m["sent_electronic"], m["received_electronic"]) == (1, 1)

    def test_same_tier_does_not_count(self):
        assert unit_kpis(self.exchange("C1", "C2"), "C1", D15)["two_way_interconnection"] is False
        assert unit_kpis(self.exchange("D1", "D2"), "D1", D15)["two_way_interconnection"] is False
        assert unit_kpis(self.exchange("D1", "P"), "D1", D15)["two_way_interconnection"] is False

    def test_division_is_not_applicable(self):
        assert unit_kpis(self.exchange("V1", "C1"), "V1", D15)["two_way_interconnection"] is None
        assert (
            kpi.unit_metrics(
                {}, level="division", unit_levels={}, officials_active=0, officials_evaluated=0
            )["two_way_interconnection"]
            is None
        )

    def test_counterpart_that_is_a_division_does_not_count(self):
        assert unit_kpis(self.exchange("C1", "V1"), "C1", D15)["two_way_interconnection"] is False

    def test_uses_current_registry_levels(self):
        events = self.exchange("C1", "NEW.UNIT")
        levels = {"C1": "commune"}
        assert unit_kpis(events, "C1", D15, levels=levels)["two_way_interconnection"] is False
        levels = {"C1": "commune", "NEW.UNIT": "department"}
        assert unit_kpis(events, "C1", D15, levels=levels)["two_way_interconnection"] is True

    def test_outside_the_period(self):
        events = self.exchange("C1", "D1")
        assert unit_kpis(events, "C1", D16)["two_way_interconnection"] is False

    def test_unknown_level(self):
        with pytest.raises(ValueError):
            kpi.two_way_interconnection({}, level="ministry", unit_levels={})


# --- exempt documents --------------------------------------------------------------------


class TestExempt:
    @pytest.mark.parametrize(
        "marks",
        [
            {"security": "mat"},
            {"security": "toi_mat"},
            {"security": "tuyet_mat"},
            {"commendation": True},
        ],
    )
    def test_exempt_document_counts_only_exempt_total(self, marks):
        events = [
            registered("r", "2025-07-15T08:00:00+07:00", **marks),
            processed("p", "2025-07-15T09:00:00+07:00", channel="paper", doc_pages=5, **marks),
            signed("s", "2025-07-15T09:00:00+07:00", **marks),
            issued("i", "2025-07-15T10:00:00+07:00", channel="paper", **marks),
            sent("se", "2025-07-15T10:00:00+07:00", "D1", **marks),
            received("re", "2025-07-15T10:00:00+07:00", "D1", **marks),
            printed("pr", "2025-07-15T11:00:00+07:00", pages=3, **marks),
        ]
        rows = daily_rows(events)
        assert rows == {("unit#C1", "2025-07-15"): {"exempt_total": 1}}
        m = unit_kpis(events, "C1", D15)
        assert m["exempt_total"] == 1
        for rate in ("online_rate", "signing_rate", "e_issuance_rate", "on_time_rate"):
            assert m[rate] is None
        assert m["paper_pages"] == 0
        assert official_kpis(events, "O1", D15)["processed_total"] == 0

    def test_exempt_next_to_normal_documents_does_not_enter_rates(self):
        events = [
            processed("a", "2025-07-15T09:00:00+07:00", doc="A"),
            processed(
                "b", "2025-07-15T09:00:00+07:00", doc="B", channel="paper", security="tuyet_mat"
            ),
        ]
        m = unit_kpis(events, "C1", D15)
        assert (m["processed_total"], m["online_rate"], m["exempt_total"]) == (1, 1.0, 1)

    def test_a_later_event_of_another_unit_makes_it_exempt(self):
        before = [
            processed("p", "2025-07-15T09:00:00+07:00", channel="paper", doc_pages=2),
            issued("i", "2025-07-15T10:00:00+07:00"),
            signed("s", "2025-07-15T08:00:00+07:00", signer="O9"),
        ]
        marker = received("m", "2025-07-16T09:00:00+07:00", "C1", unit="D1", commendation=True)
        old, new = contrib(before), contrib([*before, marker])
        assert new == {
            ("unit#C1", "2025-07-15"): {"exempt_total": 1},
            ("unit#D1", "2025-07-16"): {"exempt_total": 1},
        }
        delta = daily_counters.diff_contributions(old, new)
        assert delta[("unit#C1", "2025-07-15")] == {
            "processed_total": -1,
            "issued_total": -1,
            "issued_signed_digitally": -1,
            "issued_online": -1,
            "paper_pages": -2,
            "exempt_total": 1,
        }
        assert delta[("official#O1", "2025-07-15")] == {"processed_total": -1}
        assert delta[("official#O9", "2025-07-15")] == {"digital_signatures": -1}
        m = unit_kpis([*before, marker], "C1", D15, D16)
        assert (m["processed_total"], m["exempt_total"], m["online_rate"]) == (0, 1, None)

    def test_exempt_dated_by_the_units_first_event_of_any_type(self):
        events = [
            registered("r", "2025-07-15T23:30:00+07:00", security="mat"),
            processed("p", "2025-07-17T09:00:00+07:00"),
        ]
        assert unit_kpis(events, "C1", D15)["exempt_total"] == 1
        assert unit_kpis(events, "C1", D16, D17)["exempt_total"] == 0
        assert unit_kpis(events, "C1", D15, D17)["exempt_total"] == 1

    def test_explicit_thuong_and_false_are_not_exempt(self):
        events = [
            processed("p", "2025-07-15T09:00:00+07:00", security="thuong", commendation=False)
        ]
        m = unit_kpis(events, "C1", D15)
        assert (m["exempt_total"], m["processed_total"]) == (0, 1)

    def test_exempt_state_keeps_only_what_counting_needs(self):
        state = document_state.fold_events(
            None,
            [
                processed("p", "2025-07-15T09:00:00+07:00", doc_pages=4, security="mat"),
                printed("x", "2025-07-16T09:00:00+07:00", unit="D1"),
            ],
        )
        us = instants.parse_instant_us
        assert state == {
            "v": 1,
            "source_id": "s1",
            "document_id": "D-1",
            "exempt": True,
            "units": {
                "C1": {"first": [us("2025-07-15T09:00:00+07:00"), "p"]},
                "D1": {"first": [us("2025-07-16T09:00:00+07:00"), "x"]},
            },
        }


# --- paper pages -------------------------------------------------------------------------


class TestPaperPages:
    def test_printed_event_pages_else_document_pages_else_zero(self):
        events = [
            printed("a", "2025-07-15T09:00:00+07:00", doc="A", pages=7, doc_pages=100),
            printed("b", "2025-07-15T09:00:00+07:00", doc="B", doc_pages=4),
            printed("c", "2025-07-15T09:00:00+07:00", doc="C"),
        ]
        assert unit_kpis(events, "C1", D15)["paper_pages"] == 7 + 4 + 0

    def test_document_pages_is_the_largest_seen_on_any_event(self):
        events = [
            printed("a", "2025-07-15T09:00:00+07:00"),  # no pages itself
            registered("r", "2025-07-14T09:00:00+07:00", unit="D1", doc_pages=6),
            issued("i", "2025-07-16T09:00:00+07:00", unit="D1", doc_pages=2),
        ]
        assert unit_kpis(events, "C1", D15)["paper_pages"] == 6

    def test_each_printed_event_counts_on_its_own_day(self):
        events = [
            printed("a", "2025-07-15T09:00:00+07:00", pages=2),
            printed("b", "2025-07-16T09:00:00+07:00", pages=3),
            printed("a", "2025-07-15T09:00:00+07:00", pages=2),  # duplicate delivery
        ]
        assert unit_kpis(events, "C1", D15)["paper_pages"] == 2
        assert unit_kpis(events, "C1", D16)["paper_pages"] == 3
        assert unit_kpis(events, "C1", D15, D16)["paper_pages"] == 5

    def test_paper_processing_or_issue_adds_document_pages_once(self):
        events = [
            issued("i", "2025-07-16T09:00:00+07:00", channel="paper", doc_pages=5),
            processed("p", "2025-07-15T09:00:00+07:00", channel="paper"),
            processed("q", "2025-07-17T09:00:00+07:00", channel="paper"),
        ]
        assert unit_kpis(events, "C1", D15)["paper_pages"] == 5
        assert unit_kpis(events, "C1", D16, D17)["paper_pages"] == 0

    def test_paper_issue_alone_adds_document_pages(self):
        events = [issued("i", "2025-07-16T09:00:00+07:00", channel="paper", doc_pages=5)]
        assert unit_kpis(events, "C1", D16)["paper_pages"] == 5

    def test_printed_event_with_zero_pages_is_zero_not_document_pages(self):
        events = [printed("a", "2025-07-15T09:00:00+07:00", pages=0, doc_pages=8)]
        assert unit_kpis(events, "C1", D15)["paper_pages"] == 0

    def test_electronic_processing_adds_no_pages(self):
        events = [
            processed("p", "2025-07-15T09:00:00+07:00", doc_pages=5),
            issued("i", "2025-07-15T09:00:00+07:00", doc_pages=5),
        ]
        assert unit_kpis(events, "C1", D15)["paper_pages"] == 0

    def test_printed_plus_paper_processing(self):
        events = [
            printed("pr", "2025-07-15T08:00:00+07:00", doc_pages=3),
            processed("p", "2025-07-15T09:00:00+07:00", channel="paper"),
        ]
        assert unit_kpis(events, "C1", D15)["paper_pages"] == 3 + 3

    def test_later_larger_pages_corrects_earlier_day(self):
        first = [printed("pr", "2025-07-15T08:00:00+07:00", doc_pages=3)]
        later = registered("r", "2025-07-20T08:00:00+07:00", unit="D1", doc_pages=10)
        delta = daily_counters.diff_contributions(contrib(first), contrib([*first, later]))
        assert delta == {("unit#C1", "2025-07-15"): {"paper_pages": 7}}

    def test_per_unit(self):
        events = [
            processed("p", "2025-07-15T09:00:00+07:00", channel="paper", doc_pages=2),
            processed("q", "2025-07-15T09:00:00+07:00", channel="paper", unit="D1"),
        ]
        assert unit_kpis(events, "C1", D15)["paper_pages"] == 2
        assert unit_kpis(events, "D1", D15)["paper_pages"] == 2


# --- individual KPIs ---------------------------------------------------------------------


class TestOfficials:
    def test_processed_online_and_on_time(self):
        events = [
            processed(
                "a",
                "2025-07-15T09:00:00+07:00",
                doc="A",
                actor="O1",
                due_at="2025-07-16T00:00:00+07:00",
            ),
            processed(
                "b",
                "2025-07-15T09:00:00+07:00",
                doc="B",
                actor="O1",
                channel="paper",
                due_at="2025-07-15T08:00:00+07:00",
            ),
            processed("c", "2025-07-15T09:00:00+07:00", doc="C", actor="O2"),
        ]
        m = official_kpis(events, "O1", D15)
        assert (m["processed_total"], m["processed_online"], m["online_rate"]) == (2, 1, 0.5)
        assert (m["on_time_total"], m["on_time"], m["on_time_rate"]) == (2, 1, 0.5)
        assert official_kpis(events, "O2", D15)["processed_total"] == 1

    def test_on_time_uses_completed_at(self):
        events = [
            processed(
                "a",
                "2025-07-15T20:00:00+07:00",
                doc="A",
                actor="O1",
                completed_at="2025-07-15T08:00:00+07:00",
                due_at="2025-07-15T09:00:00+07:00",
            ),  # recorded late, done on time
            processed(
                "b",
                "2025-07-15T08:00:00+07:00",
                doc="B",
                actor="O1",
                completed_at="2025-07-15T10:00:00+07:00",
                due_at="2025-07-15T09:00:00+07:00",
            ),  # recorded early, done late
        ]
        m = official_kpis(events[:1], "O1", D15)
        assert (m["on_time_total"], m["on_time"]) == (1, 1)
        m = official_kpis(events[1:], "O1", D15)
        assert (m["on_time_total"], m["on_time"]) == (1, 0)
        m = official_kpis(events, "O1", D15)
        assert (m["on_time_total"], m["on_time"], m["on_time_rate"]) == (2, 1, 0.5)

    def test_online_follows_the_unit_level_document(self):
        # O1 processed electronically but a colleague processed the same doc on paper later:
        # the unit's document is not online, so neither is O1's.
        events = [
            processed("a", "2025-07-15T09:00:00+07:00", actor="O1"),
            processed("b", "2025-07-16T09:00:00+07:00", actor="O2", channel="paper"),
        ]
        assert official_kpis(events, "O1", D15)["online_rate"] == 0.0
        m = official_kpis(events, "O2", D16)
        assert (m["processed_total"], m["processed_online"]) == (1, 0)

    def test_each_official_dated_and_timed_by_own_first_event(self):
        events = [
            processed("a", "2025-07-15T09:00:00+07:00", actor="O1"),
            processed(
                "b", "2025-07-16T09:00:00+07:00", actor="O2", due_at="2025-07-16T10:00:00+07:00"
            ),
            processed("c", "2025-07-17T09:00:00+07:00", actor="O2"),
        ]
        m = official_kpis(events, "O2", D15, D17)
        assert (m["processed_total"], m["on_time_total"], m["on_time"]) == (1, 1, 1)
        assert official_kpis(events, "O2", D17)["processed_total"] == 0
        # unit: dated by O1's event, no due_at on the first
        assert unit_kpis(events, "C1", D15, D17)["on_time_total"] == 0

    def test_official_acting_for_two_units_counts_the_document_once(self):
        events = [
            processed("a", "2025-07-15T09:00:00+07:00", unit="C1", actor="O1"),
            processed("b", "2025-07-16T09:00:00+07:00", unit="D1", actor="O1"),
            printed("c", "2025-07-16T10:00:00+07:00", unit="D1"),
        ]
        m = official_kpis(events, "O1", D15, D16)
        assert (m["processed_total"], m["processed_online"]) == (1, 0)

    def test_digital_signatures_distinct_documents(self):
        events = [
            signed("a", "2025-07-15T09:00:00+07:00", doc="A", signer="O1"),
            signed("b", "2025-07-16T09:00:00+07:00", doc="A", signer="O1"),
            signed("c", "2025-07-16T09:00:00+07:00", doc="B", signer="O1", unit="D1"),
            signed("d", "2025-07-16T09:00:00+07:00", doc="C", signer="O1", method="handwritten"),
            signed("e", "2025-07-16T09:00:00+07:00", doc="D", signer="O1", security="mat"),
        ]
        assert official_kpis(events, "O1", D15)["digital_signatures"] == 1
        assert official_kpis(events, "O1", D16)["digital_signatures"] == 1
        assert official_kpis(events, "O1", D15, D16)["digital_signatures"] == 2

    def test_empty_official(self):
        m = kpi.official_metrics({}, None)
        assert m == {
            "processed_total": 0,
            "processed_online": 0,
            "online_rate": None,
            "on_time_total": 0,
            "on_time": 0,
            "on_time_rate": None,
            "digital_signatures": 0,
            "latest_evaluation_score": None,
            "latest_evaluation_period": None,
        }


# --- evaluations -------------------------------------------------------------------------


class TestEvaluations:
    def test_latest_wins_regardless_of_arrival(self):
        e1 = evaluated("e1", "2025-07-20T09:00:00+07:00", "O1", "2025-07", 70)
        e2 = evaluated("e2", "2025-07-21T09:00:00+07:00", "O1", "2025-07", 90)
        for order in ([e1, e2], [e2, e1], [e2, e1, e2, e1]):
            current = None
            for event in order:
                current = evaluations.merge_evaluation(current, event)
            assert current == {
                "official_id": "O1",
                "unit_id": "C1",
                "period": "2025-07",
                "score": 90,
                "occurred_at_us": instants.parse_instant_us("2025-07-21T09:00:00+07:00"),
                "event_id": "e2",
            }

    def test_instant_not_text_and_event_id_tie_break(self):
        early = evaluated("z", "2025-07-21T08:00:00+09:00", "O1", "2025-07", 10)  # 06:00 VN
        late = evaluated("a", "2025-07-21T00:00:00+00:00", "O1", "2025-07", 20)  # 07:00 VN
        assert (
            evaluations.merge_evaluation(evaluations.merge_evaluation(None, late), early)["score"]
            == 20
        )
        same_a = evaluated("a", "2025-07-21T00:00:00Z", "O1", "2025-07", 30)
        same_b = evaluated("b", "2025-07-21T07:00:00+07:00", "O1", "2025-07", 40)
        assert (
            evaluations.merge_evaluation(evaluations.merge_evaluation(None, same_b), same_a)[
                "score"
            ]
            == 40
        )
        assert (
            evaluations.merge_evaluation(evaluations.merge_evaluation(None, same_a), same_b)[
                "score"
            ]
            == 40
        )

    def test_rejects_other_key_and_bad_period(self):
        current = evaluations.merge_evaluation(
            None, evaluated("a", "2025-07-21T00:00:00Z", "O1", "2025-07", 1)
        )
        with pytest.raises(ValueError):
            evaluations.merge_evaluation(
                current, evaluated("b", "2025-07-21T00:00:00Z", "O2", "2025-07", 1)
            )
        with pytest.raises(ValueError):
            evaluations.merge_evaluation(
                current, evaluated("b", "2025-07-21T00:00:00Z", "O1", "2025-08", 1)
            )
        with pytest.raises(ValueError):
            evaluations.merge_evaluation(
                None, evaluated("b", "2025-07-21T00:00:00Z", "O1", "2025-7", 1)
            )
        with pytest.raises(ValueError):
            evaluations.merge_evaluation(
                None, evaluated("b", "2025-07-21T00:00:00Z", "O1", "2025-13", 1)
            )

    def test_months_overlapping(self):
        assert evaluations.months_overlapping(date(2025, 7, 15), date(2025, 8, 15)) == [
            "2025-07",
            "2025-08",
        ]
        assert evaluations.months_overlapping(date(2025, 7, 31), date(2025, 7, 31)) == ["2025-07"]
        assert evaluations.months_overlapping(date(2025, 11, 30), date(2026, 2, 1)) == [
            "2025-11",
            "2025-12",
            "2026-01",
            "2026-02",
        ]
        assert evaluations.months_overlapping(date(2025, 8, 1), date(2025, 7, 31)) == []

    def test_kpi_coverage(self):
        events = [
            evaluated("a", "2025-07-20T09:00:00+07:00", "O1", "2025-07", 80),
            evaluated("b", "2025-08-20T09:00:00+07:00", "O2", "2025-08", 80),
            evaluated("c", "2025-06-20T09:00:00+07:00", "O3", "2025-06", 80),
            evaluated("d", "2025-07-20T09:00:00+07:00", "O9", "2025-07", 80),  # not active
        ]
        active = ["O1", "O2", "O3", "O4"]
        m = unit_kpis(events, "C1", date(2025, 7, 15), date(2025, 7, 31), active=active)
        assert (m["officials_active"], m["officials_evaluated"], m["kpi_coverage"]) == (4, 1, 0.25)
        m = unit_kpis(events, "C1", date(2025, 7, 15), date(2025, 8, 15), active=active)
        assert (m["officials_evaluated"], m["kpi_coverage"]) == (2, 0.5)
        assert unit_kpis(events, "C1", D15, active=[])["kpi_coverage"] is None

    def test_latest_evaluation_score_in_official_metrics(self):
        events = [
            evaluated("a", "2025-08-02T09:00:00+07:00", "O1", "2025-07", 60),
            evaluated("b", "2025-08-25T09:00:00+07:00", "O1", "2025-08", 85),
            evaluated("c", "2025-09-01T09:00:00+07:00", "O1", "2025-07", 65),  # re-evaluation
        ]
        m = official_kpis(events, "O1", date(2025, 7, 15), date(2025, 8, 15))
        assert (m["latest_evaluation_score"], m["latest_evaluation_period"]) == (85, "2025-08")
        m = official_kpis(events, "O1", date(2025, 7, 15), date(2025, 7, 31))
        assert (m["latest_evaluation_score"], m["latest_evaluation_period"]) == (65, "2025-07")
        assert official_kpis(events, "O1", date(2025, 6, 1))["latest_evaluation_score"] is None


# --- read side ---------------------------------------------------------------------------


def metrics_with(**overrides):
    base = kpi.unit_metrics(
        {}, level="commune", unit_levels={}, officials_active=0, officials_evaluated=0
    )
    base.update(overrides)
    return base


class TestUnitMetrics:
    def test_every_metric_and_zero_denominators_are_none(self):
        m = kpi.unit_metrics(
            {}, level="commune", unit_levels={}, officials_active=0, officials_evaluated=0
        )
        assert set(m) == set(kpi.UNIT_METRICS) and len(m) == 21
        for rate in (
            "online_rate",
            "signing_rate",
            "e_issuance_rate",
            "kpi_coverage",
            "on_time_rate",
        ):
            assert m[rate] is None
        assert m["two_way_interconnection"] is False
        assert all(m[k] == 0 for k in m if k.endswith(("_total", "_paper", "_electronic")))

    def test_ratios(self):
        totals = {
            "processed_total": 3,
            "processed_online": 2,
            "issued_total": 4,
            "issued_signed_digitally": 4,
            "issued_online": 1,
            "on_time_total": 2,
            "on_time": 0,
        }
        m = kpi.unit_metrics(
            totals, level="department", unit_levels={}, officials_active=3, officials_evaluated=3
        )
        assert m["online_rate"] == pytest.approx(2 / 3)
        assert (m["signing_rate"], m["e_issuance_rate"], m["kpi_coverage"]) == (1.0, 0.25, 1.0)
        assert m["on_time_rate"] == 0.0

    def test_sum_daily_and_diff(self):
        assert daily_counters.sum_daily([{"a": 1, "b": 2}, {"a": 3}, {}]) == {"a": 4, "b": 2}
        assert daily_counters.sum_daily([]) == {}
        old = {("unit#C1", "2025-07-15"): {"a": 1, "b": 1}, ("unit#C1", "2025-07-16"): {"a": 1}}
        new = {("unit#C1", "2025-07-15"): {"a": 1, "c": 2}}
        assert daily_counters.diff_contributions(old, new) == {
            ("unit#C1", "2025-07-15"): {"b": -1, "c": 2},
            ("unit#C1", "2025-07-16"): {"a": -1},
        }
        assert daily_counters.diff_contributions(new, new) == {}

    def test_pair_counter_names(self):
        assert (
            daily_counters.pair_counter("000.00.31.H34", "sent_paper")
            == "pair|000.00.31.H34|sent_paper"
        )
        with pytest.raises(ValueError):
            daily_counters.pair_counter("D1", "bogus")
        with pytest.raises(ValueError):
            daily_counters.interconnection_pairs({"pair|D1|bogus": 1})


class TestCompliance:
    def test_all_met(self):
        m = metrics_with(
            online_rate=1.0,
            signing_rate=1.0,
            e_issuance_rate=1.0,
            kpi_coverage=1.0,
            two_way_interconnection=True,
        )
        assert kpi.compliance(m, level="commune", targets=None) == {
            "online_rate": True,
            "signing_rate": True,
            "e_issuance_rate": True,
            "kpi_coverage": True,
            "two_way_interconnection": True,
            "compliant": True,
        }

    def test_none_is_not_compliant_and_default_target_is_100_percent(self):
        m = metrics_with(
            online_rate=None,
            signing_rate=0.999,
            e_issuance_rate=1.0,
            kpi_coverage=1.0,
            two_way_interconnection=True,
        )
        c = kpi.compliance(m, level="commune", targets=None)
        assert (c["online_rate"], c["signing_rate"], c["compliant"]) == (False, False, False)

    def test_custom_targets(self):
        m = metrics_with(
            online_rate=0.9,
            signing_rate=0.95,
            e_issuance_rate=0.8,
            kpi_coverage=1.0,
            two_way_interconnection=True,
        )
        targets = {"online_rate": 0.9, "signing_rate": 0.9, "e_issuance_rate": 0.8}
        c = kpi.compliance(m, level="department", targets=targets)
        assert c["compliant"] is True
        c = kpi.compliance(m, level="department", targets={**targets, "online_rate": 0.91})
        assert (c["online_rate"], c["compliant"]) == (False, False)
        # a target exactly met by a computed ratio (27/30 == 0.9)
        exact = metrics_with(
            online_rate=kpi.ratio(27, 30),
            signing_rate=1.0,
            e_issuance_rate=1.0,
            kpi_coverage=1.0,
            two_way_interconnection=True,
        )
        assert kpi.compliance(exact, level="commune", targets={"online_rate": 0.9})["compliant"]

    def test_two_way_false_blocks_compliance(self):
        m = metrics_with(
            online_rate=1.0,
            signing_rate=1.0,
            e_issuance_rate=1.0,
            kpi_coverage=1.0,
            two_way_interconnection=False,
        )
        c = kpi.compliance(m, level="commune", targets=None)
        assert (c["two_way_interconnection"], c["compliant"]) == (False, False)

    def test_division_ignores_interconnection(self):
        m = metrics_with(
            online_rate=1.0,
            signing_rate=1.0,
            e_issuance_rate=1.0,
            kpi_coverage=1.0,
            two_way_interconnection=None,
        )
        c = kpi.compliance(m, level="division", targets=None)
        assert (c["two_way_interconnection"], c["compliant"]) == (None, True)
        with pytest.raises(ValueError):
            kpi.compliance(m, level="ministry", targets=None)


class TestScore:
    def test_all_met_and_nothing(self):
        full = metrics_with(
            online_rate=1.0,
            signing_rate=1.0,
            e_issuance_rate=1.0,
            kpi_coverage=1.0,
            two_way_interconnection=True,
        )
        assert kpi.score(full, level="commune", weights=None) == 100.0
        assert kpi.score(metrics_with(), level="commune", weights=None) == 0.0

    def test_equal_weights_and_none_counts_zero(self):
        m = metrics_with(
            online_rate=0.5,
            signing_rate=None,
            e_issuance_rate=1.0,
            kpi_coverage=0.25,
            two_way_interconnection=True,
        )
        # (0.5 + 0 + 1 + 0.25 + 1) / 5 = 0.55
        assert kpi.score(m, level="commune", weights=None) == 55.0

    def test_division_leaves_interconnection_out(self):
        m = metrics_with(
            online_rate=0.5,
            signing_rate=None,
            e_issuance_rate=1.0,
            kpi_coverage=0.25,
            two_way_interconnection=None,
        )
        # (0.5 + 0 + 1 + 0.25) / 4 = 0.4375
        assert kpi.score(m, level="division", weights=None) == 43.75

    def test_custom_weights(self):
        m = metrics_with(
            online_rate=1.0,
            signing_rate=0.0,
            e_issuance_rate=0.0,
            kpi_coverage=0.0,
            two_way_interconnection=False,
        )
        weights = {
            "online_rate": 3,
            "signing_rate": 1,
            "e_issuance_rate": 1,
            "kpi_coverage": 1,
            "two_way_interconnection": 2,
        }
        assert kpi.score(m, level="commune", weights=weights) == 37.5  # 3/8
        assert kpi.score(m, level="division", weights=weights) == 50.0  # 3/6
        # missing weights fall back to the defaults (1.0)
        assert kpi.score(m, level="commune", weights={"online_rate": 5}) == 55.56  # 5/9
        with pytest.raises(ValueError):
            kpi.score(m, level="commune", weights={"online_rate": -1})
        with pytest.raises(ValueError):
            kpi.score(m, level="commune", weights=dict.fromkeys(vocabulary.CRITERIA, 0))

    def test_rounding_to_two_decimals_half_up(self):
        third = kpi.ratio(1, 3)
        m = metrics_with(
            online_rate=third,
            signing_rate=third,
            e_issuance_rate=third,
            kpi_coverage=third,
            two_way_interconnection=False,
        )
        assert kpi.score(m, level="commune", weights=None) == 26.67  # 26.666...
        # 0.12345 * 100 with a single criterion: 12.345 exactly -> 12.35 (half up)
        eighth = metrics_with(
            online_rate=kpi.ratio(2469, 20000),
            signing_rate=0.0,
            e_issuance_rate=0.0,
            kpi_coverage=0.0,
        )
        weights = {"online_rate": 1, "signing_rate": 0, "e_issuance_rate": 0, "kpi_coverage": 0}
        assert kpi.score(eighth, level="division", weights=weights) == 12.35

    def test_equal_mathematical_scores_are_equal_floats(self):
        a = metrics_with(
            online_rate=kpi.ratio(1, 3),
            signing_rate=kpi.ratio(1, 6),
            e_issuance_rate=0.0,
            kpi_coverage=0.0,
        )
        b = metrics_with(online_rate=0.5, signing_rate=0.0, e_issuance_rate=0.0, kpi_coverage=0.0)
        assert (
            kpi.score(a, level="division", weights=None)
            == kpi.score(b, level="division", weights=None)
            == 12.5
        )


class TestRank:
    def test_competition_ranking(self):
        rows = [
            {"unit_id": "C4", "score": 50.0, "online_rate": 0.5, "processed_total": 10},
            {"unit_id": "C3", "score": 80.0, "online_rate": 0.9, "processed_total": 5},
            {"unit_id": "C2", "score": 80.0, "online_rate": 0.9, "processed_total": 5},
            {"unit_id": "C1", "score": 90.0, "online_rate": 0.1, "processed_total": 1},
        ]
        ranked = kpi.rank(rows)
        assert [(r["unit_id"], r["rank"]) for r in ranked] == [
            ("C1", 1),
            ("C2", 2),
            ("C3", 2),
            ("C4", 4),
        ]
        assert "rank" not in rows[0]  # copies

    def test_tie_breakers(self):
        rows = [
            {"unit_id": "A", "score": 80.0, "online_rate": None, "processed_total": 0},
            {"unit_id": "B", "score": 80.0, "online_rate": 0.0, "processed_total": 0},
            {"unit_id": "C", "score": 80.0, "online_rate": 0.5, "processed_total": 3},
            {"unit_id": "D", "score": 80.0, "online_rate": 0.5, "processed_total": 7},
            {"unit_id": "E", "score": 80.0, "online_rate": None, "processed_total": 0},
        ]
        ranked = kpi.rank(rows)
        assert [(r["unit_id"], r["rank"]) for r in ranked] == [
            ("D", 1),
            ("C", 2),
            ("B", 3),
            ("A", 4),
            ("E", 4),
        ]

    def test_empty_and_all_tied(self):
        assert kpi.rank([]) == []
        rows = [
            {"unit_id": u, "score": 0.0, "online_rate": None, "processed_total": 0}
            for u in ("b", "a", "c")
        ]
        assert [(r["unit_id"], r["rank"]) for r in kpi.rank(rows)] == [("a", 1), ("b", 1), ("c", 1)]

    def test_ranks_on_displayed_score(self):
        a = metrics_with(
            online_rate=kpi.ratio(1, 3),
            signing_rate=kpi.ratio(1, 6),
            e_issuance_rate=0.0,
            kpi_coverage=0.0,
        )
        b = metrics_with(online_rate=0.5, signing_rate=0.0, e_issuance_rate=0.0, kpi_coverage=0.0)
        rows = [
            {
                "unit_id": "X",
                "score": kpi.score(a, level="division", weights=None),
                "online_rate": 0.5,
                "processed_total": 1,
            },
            {
                "unit_id": "Y",
                "score": kpi.score(b, level="division", weights=None),
                "online_rate": 0.5,
                "processed_total": 1,
            },
        ]
        assert [r["rank"] for r in kpi.rank(rows)] == [1, 1]


# --- fold contract -----------------------------------------------------------------------


class TestFold:
    def test_state_is_json_friendly_without_floats(self):
        events = [
            registered("r", "2025-07-15T08:00:00+07:00", doc_pages=3),
            processed(
                "p",
                "2025-07-15T09:00:00.123456+07:00",
                due_at="2025-07-16T00:00:00Z",
                completed_at="2025-07-15T10:00:00+07:00",
            ),
            signed("s", "2025-07-15T09:00:00+07:00"),
            issued("i", "2025-07-15T09:00:00+07:00", channel="paper"),
            sent("se", "2025-07-15T09:00:00+07:00", "D1"),
            received("re", "2025-07-15T09:00:00+07:00", "D1", channel="paper"),
            printed("pr", "2025-07-15T09:00:00+07:00", pages=2),
        ]
        state = document_state.fold_events(None, events)

        def walk(value):
            assert not isinstance(value, float)
            assert isinstance(value, dict | list | str | int | bool | type(None))
            if isinstance(value, dict):
                for k, v in value.items():
                    assert isinstance(k, str)
                    walk(v)
            elif isinstance(value, list):
                for v in value:
                    walk(v)

        walk(state)
        assert json.loads(json.dumps(state)) == state
        us = instants.parse_instant_us
        assert state["units"]["C1"]["processed"] == [
            us("2025-07-15T09:00:00.123456+07:00"),
            "p",
            us("2025-07-16T00:00:00Z"),
            us("2025-07-15T10:00:00+07:00"),
        ]
        assert state["pages"] == 3
        assert state["signers"] == {"O1": [us("2025-07-15T09:00:00+07:00"), "s"]}
        assert len(json.dumps(state)) < 1000

    def test_does_not_mutate_input(self):
        state = document_state.fold_events(None, [processed("p", "2025-07-15T09:00:00+07:00")])
        snapshot = json.dumps(state, sort_keys=True)
        new = document_state.fold_events(
            state, [processed("q", "2025-07-14T09:00:00+07:00", channel="paper")]
        )
        assert json.dumps(state, sort_keys=True) == snapshot
        assert new != state
        same = document_state.fold_events(state, [])
        assert same == state and same is not state

    def test_rejects_events_of_another_document(self):
        state = document_state.fold_events(None, [processed("p", "2025-07-15T09:00:00+07:00")])
        with pytest.raises(ValueError):
            document_state.fold_events(
                state, [processed("q", "2025-07-15T09:00:00+07:00", doc="OTHER")]
            )
        with pytest.raises(ValueError):
            document_state.fold_events(
                state, [processed("q", "2025-07-15T09:00:00+07:00", source="s2")]
            )
        with pytest.raises(ValueError):
            document_state.fold_events(
                None,
                [
                    processed("p", "2025-07-15T09:00:00+07:00"),
                    processed("q", "2025-07-15T09:00:00+07:00", doc="OTHER"),
                ],
            )

    def test_rejects_non_document_events_and_bad_input(self):
        with pytest.raises(ValueError):
            document_state.fold_events(
                None, [evaluated("e", "2025-07-15T09:00:00Z", "O1", "2025-07", 1)]
            )
        with pytest.raises(ValueError):
            document_state.fold_events(None, [ev("document.archived", "x", "2025-07-15T09:00:00Z")])
        with pytest.raises(ValueError):
            document_state.fold_events(None, [processed("p", "2025-07-15T09:00:00")])  # no offset
        with pytest.raises(ValueError):
            document_state.fold_events(None, [])
        with pytest.raises(ValueError):
            document_state.fold_events(
                {"v": 99, "source_id": "s1", "document_id": "D-1", "units": {}},
                [processed("p", "2025-07-15T09:00:00Z")],
            )
        with pytest.raises(ValueError):
            document_state.fold_events(None, [sent("s", "2025-07-15T09:00:00Z", None)])
        with pytest.raises(ValueError):
            document_state.fold_events(None, [issued("i", "2025-07-15T09:00:00Z", channel="fax")])
        with pytest.raises(ValueError):
            document_state.fold_events(None, [signed("s", "2025-07-15T09:00:00Z", method="stamp")])
        with pytest.raises(ValueError):
            document_state.fold_events(None, [printed("p", "2025-07-15T09:00:00Z", pages=-1)])

    def test_registered_only_dates_exempt(self):
        state = document_state.fold_events(None, [registered("r", "2025-07-15T09:00:00+07:00")])
        assert daily_counters.contributions(state, TZ) == {}

    def test_merge_states_rejects_other_document(self):
        a = document_state.fold_events(None, [processed("p", "2025-07-15T09:00:00Z")])
        b = document_state.fold_events(None, [processed("p", "2025-07-15T09:00:00Z", doc="B")])
        with pytest.raises(ValueError):
            document_state.merge_states(a, b)

    def test_refolding_the_same_events_changes_nothing(self):
        events = [
            processed("p", "2025-07-15T09:00:00+07:00"),
            printed("x", "2025-07-16T09:00:00+07:00", pages=1),
        ]
        state = document_state.fold_events(None, events)
        again = document_state.fold_events(state, list(reversed(events)))
        assert again == state
        assert (
            daily_counters.diff_contributions(
                daily_counters.contributions(state, TZ), daily_counters.contributions(again, TZ)
            )
            == {}
        )


def test_a_negative_weight_is_refused_by_name():
    # Killed mutant kpi.x_score__mutmut_14 (the message lost its criterion): the error says
    # which weight is wrong.
    metrics = {"online_rate": 1.0}
    with pytest.raises(ValueError, match="negative weight for 'online_rate'"):
        kpi.score(metrics, level="department", weights={"online_rate": -1})


def test_two_way_interconnection_looks_past_counterparts_of_the_wrong_tier():
    # Killed mutant kpi.x_two_way_interconnection__mutmut_13 (continue -> break): a commune's
    # exchanges with another commune, listed first, must not hide those with the province.
    totals = {
        "pair|c-2|sent_electronic": 5,
        "pair|c-2|received_electronic": 5,
        "pair|p-1|sent_electronic": 1,
        "pair|p-1|received_electronic": 1,
    }
    levels = {"c-1": "commune", "c-2": "commune", "p-1": "department"}
    assert kpi.two_way_interconnection(totals, level="commune", unit_levels=levels) is True


# --- survivors of the mutation run (docs/benchmarks.md, "Mutation testing") -----------------


def test_pair_counter_names_are_refused_by_what_is_wrong():
    # Killed mutants daily_counters.x_pair_counter__mutmut_2, 3, 5 and
    # x_interconnection_pairs__mutmut_12: a unit id holding the separator would make a name
    # that reads back as another counterpart, and each refusal says what is wrong.
    with pytest.raises(ValueError, match="unknown pair counter kind: 'bogus'"):
        daily_counters.pair_counter("D1", "bogus")
    with pytest.raises(ValueError, match=r"invalid unit id: 'D1\|sent_paper'"):
        daily_counters.pair_counter("D1|sent_paper", "sent_paper")
    for name in ("pair|D1|bogus", "pair||sent_paper"):
        with pytest.raises(ValueError, match=rf"malformed pair counter: '{re.escape(name)}'"):
            daily_counters.interconnection_pairs({name: 1})


@pytest.mark.parametrize(("first_unit", "later_unit"), [("C1", "D1"), ("D1", "C1")])
def test_an_official_acting_for_two_units_is_dated_by_their_earlier_event(first_unit, later_unit):
    # Killed mutants daily_counters.x_contributions__mutmut_203 and 204 (the official's
    # entry of one unit dropped when merging the two): whichever unit is listed first, the
    # official's document is dated, and timed, by their earlier processed event.
    events = [
        processed(
            "a",
            "2025-07-15T09:00:00+07:00",
            unit=first_unit,
            actor="O1",
            due_at="2025-07-15T10:00:00+07:00",
        ),
        processed("b", "2025-07-16T09:00:00+07:00", unit=later_unit, actor="O1"),
    ]
    on_d15 = official_kpis(events, "O1", D15)
    assert (on_d15["processed_total"], on_d15["on_time_total"], on_d15["on_time"]) == (1, 1, 1)
    assert official_kpis(events, "O1", D16)["processed_total"] == 0


def test_an_evaluation_is_refused_by_what_is_wrong():
    # The refusals of merge_evaluation, each named: a score that is a flag or a text, an
    # event of another type, a period that is not YYYY-MM.
    good = evaluated("a", "2025-07-21T00:00:00Z", "O1", "2025-07", 1)
    for score in (True, "90", None):
        with pytest.raises(ValueError, match="score"):
            evaluations.merge_evaluation(None, {**good, "score": score})
    with pytest.raises(ValueError, match=r"not an evaluation event: 'document\.processed'"):
        evaluations.merge_evaluation(None, {**good, "type": "document.processed"})
    for period in ("2025-07-01", "25-07", "2025-7", "02025-07", "2025-00", "2025-13", "x-07"):
        with pytest.raises(ValueError, match=rf"period must be YYYY-MM: '{period}'"):
            evaluations.merge_evaluation(None, {**good, "period": period})
    untyped = {k: v for k, v in good.items() if k != "type"}
    assert evaluations.merge_evaluation(None, untyped)["score"] == 1
    assert evaluations.merge_evaluation(None, {**good, "score": 7.5})["score"] == 7.5
    for period in ("2025-01", "2025-12"):
        assert evaluations.merge_evaluation(None, {**good, "period": period})["period"] == period


def test_the_exempt_marker_joined_into_a_state_keeps_only_the_exempt_count():
    # Killed mutants document_state.x_exempt_state__mutmut_* (no unit test reached the
    # marker the redaction pass joins in, services/document_folds.py) and
    # x_merge_states__mutmut_10-12 (the refusal's message).
    marker = document_state.exempt_state("s1", "D-1")
    assert marker == {
        "v": document_state.STATE_VERSION,
        "source_id": "s1",
        "document_id": "D-1",
        "exempt": True,
        "units": {},
    }
    assert document_state.merge_states(marker, marker) == marker
    assert daily_counters.contributions(marker, TZ) == {}
    state = document_state.fold_events(
        None,
        [
            processed("p", "2025-07-15T09:00:00+07:00", doc_pages=4),
            signed("s", "2025-07-16T09:00:00+07:00", unit="D1"),
        ],
    )
    us = instants.parse_instant_us
    expected = {
        "v": 1,
        "source_id": "s1",
        "document_id": "D-1",
        "exempt": True,
        "units": {
            "C1": {"first": [us("2025-07-15T09:00:00+07:00"), "p"]},
            "D1": {"first": [us("2025-07-16T09:00:00+07:00"), "s"]},
        },
    }
    assert document_state.merge_states(state, marker) == expected
    assert document_state.merge_states(marker, state) == expected
    # a later event folded into the marked state stays exempt
    later = document_state.fold_events(expected, [processed("q", "2025-07-17T09:00:00+07:00")])
    assert later["exempt"] is True and set(later["units"]["C1"]) == {"first"}
    assert daily_counters.contributions(expected, TZ) == {
        ("unit#C1", "2025-07-15"): {"exempt_total": 1},
        ("unit#D1", "2025-07-16"): {"exempt_total": 1},
    }
    with pytest.raises(ValueError, match=r"^cannot merge states of different documents$"):
        document_state.merge_states(state, document_state.exempt_state("s1", "D-2"))


def test_conflicting_payloads_of_one_event_id_fold_the_same_in_any_order():
    # Killed mutant document_state.x__sortable__mutmut_2 (a missing due date compared as a
    # value): a redelivered event whose payload changed (a due date added) is the same
    # event, and the state must not depend on which payload came first.
    plain = processed("p", "2025-07-15T09:00:00+07:00")
    with_due = processed("p", "2025-07-15T09:00:00+07:00", due_at="2025-07-15T10:00:00+07:00")
    one = document_state.fold_events(None, [plain, with_due])
    other = document_state.fold_events(None, [with_due, plain])
    assert one == other
    # the payload without a due date sorts first: the entry keeps no deadline
    assert one["units"]["C1"]["processed"][2] is None
    assert one["units"]["C1"]["actors"]["O1"][2] is None


def test_a_printed_event_redelivered_with_zero_pages_folds_the_same_in_any_order():
    # Killed mutant document_state.x__sortable__mutmut_4 (a missing page count sorted as 0,
    # so it tied with a count of 0 and the first payload to arrive won).
    unknown = printed("x", "2025-07-15T09:00:00+07:00")
    zero = printed("x", "2025-07-15T09:00:00+07:00", pages=0)
    one = document_state.fold_events(None, [unknown, zero])
    assert one == document_state.fold_events(None, [zero, unknown])
    assert one["units"]["C1"]["printed"]["x"][1] is None


def test_a_document_event_is_refused_naming_the_event_and_what_is_wrong():
    # Killed mutants document_state.x__channel__mutmut_4 and 11: a refusal names the event,
    # which is what a source reads back in the 422 to find it.
    no_channel = processed("p-7", "2025-07-15T09:00:00Z")
    del no_channel["channel"]
    with pytest.raises(ValueError, match=r"^event 'p-7': missing 'channel'$"):
        document_state.fold_events(None, [no_channel])
    with pytest.raises(ValueError, match=r"^event 'i-3': unknown channel 'fax'$"):
        document_state.fold_events(None, [issued("i-3", "2025-07-15T09:00:00Z", channel="fax")])


def test_a_stored_state_with_a_fractional_number_is_refused_by_its_value():
    # Killed mutant document_state.x_normalized__mutmut_5: DynamoDB hands numbers back as
    # Decimal; an integral one becomes an int, a fractional one is a corrupt state, named.
    assert document_state.normalized({"pages": Decimal("2"), "l": [Decimal("0")]}) == {
        "pages": 2,
        "l": [0],
    }
    assert type(document_state.normalized(Decimal("2"))) is int
    with pytest.raises(ValueError, match=r"^non-integral number in document state: 1\.5$"):
        document_state.normalized({"units": {"C1": {"first": [Decimal("1.5"), "e"]}}})


@pytest.mark.parametrize("pages", [True, "3", 2.0, -1])
def test_a_page_count_that_is_not_a_count_is_refused(pages):
    # Killed mutant document_state.x__opt_int__mutmut_3 (only a negative count refused): a
    # flag, a text or a float is not a page count, on the document or on a printed event.
    with pytest.raises(ValueError, match=r"^event 'x': pages must be a non-negative integer"):
        document_state.fold_events(None, [printed("x", "2025-07-15T09:00:00Z", pages=pages)])
    with pytest.raises(ValueError, match=r"^event 'x': pages must be a non-negative integer"):
        document_state.fold_events(None, [printed("x", "2025-07-15T09:00:00Z", doc_pages=pages)])


def test_a_document_event_without_its_document_is_refused_by_name():
    # Killed mutant document_state.x_document_key__mutmut_6 (the refusal lost the event).
    event = processed("p-9", "2025-07-15T09:00:00Z")
    del event["document"]
    with pytest.raises(ValueError, match=r"^event 'p-9': not a document event$"):
        document_state.document_key(event)


def test_a_document_key_is_refused_naming_the_missing_field():
    # Killed mutants document_state.x_document_key__mutmut_13, 19, 20 (and the same for the
    # document's id): a missing key names its field and where it was looked for.
    event = processed("p-9", "2025-07-15T09:00:00Z")
    with pytest.raises(ValueError, match=r"^event: missing 'source_id'$"):
        document_state.document_key({**event, "source_id": None})
    with pytest.raises(ValueError, match=r"^document: missing 'id'$"):
        document_state.document_key({**event, "document": {"pages": 1}})
