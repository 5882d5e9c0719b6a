"""The console's pure helpers, run in the browser as the pages run them: number and date
formats, the nomination deadline's instant, and the shortfall to a target."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_formats_deadline_and_shortfall(console):
    page = console("viewer").open("/scoreboard")
    result = page.evaluate(
        """async () => {
          const i18n = await import('/js/i18n.js');
          const unit = await import('/js/pages/unit.js');
          return {
            number: i18n.fmtNumber(1234567.25, 1),
            percent: i18n.fmtPercent(0.9535),
            none: i18n.fmtPercent(null),
            date: i18n.fmtDate('2025-07-05'),
            bytes: i18n.fmtBytes(2.5 * 1024 * 1024),
            // Open until the end of 20/8 in Asia/Ho_Chi_Minh: 00:00 of 21/8 there.
            deadline: i18n.deadlineInstant('2025-08-20', 'Asia/Ho_Chi_Minh').toISOString(),
            // Across a daylight-saving change (Europe/Paris, 26/10/2025: UTC+2 -> UTC+1).
            dst: i18n.deadlineInstant('2025-10-25', 'Europe/Paris').toISOString(),
            left: i18n.fmtTimeLeft((2 * 24 * 60 + 3 * 60 + 5) * 60000),
            shortfall: [unit.shortfall(92, 100, 1), unit.shortfall(95, 100, 0.95),
                        unit.shortfall(0, 3, 0.5), unit.shortfall(7, 7, 1)],
          };
        }"""
    )
    assert result == {
        "number": "1.234.567,3",
        "percent": "95,4%",
        "none": "—",
        "date": "05/07/2025",
        "bytes": "2,5 MB",
        "deadline": "2025-08-20T17:00:00.000Z",
        "dst": "2025-10-25T22:00:00.000Z",
        "left": "2 ngày 3 giờ",
        "shortfall": [8, 0, 2, 0],
    }


def test_criteria_words_come_from_config_or_the_console(console):
    # Each criterion is named by the console's short word when it has one, else by the
    # vocabulary's name in config.json: a new criterion needs no console change to show.
    page = console("viewer").open("/scoreboard")
    result = page.evaluate(
        """async () => {
          const i18n = await import('/js/i18n.js');
          const config = await (await fetch('/config.json')).json();
          const known = config.criteria.find((c) => c.key === 'online_rate');
          const added = { key: 'paperless_meetings', kind: 'rate',
                          label: { vi: 'Họp không giấy', en: 'Paperless meetings' } };
          return {
            known: i18n.criterionLabel(known),
            added: i18n.criterionLabel(added),
            missing: i18n.tCriterion('missing', added, 'missing_rate',
                                     { value: '50,0%', target: '100%', n: '3' }),
            worded: i18n.tCriterion('missing', known, 'missing_rate',
                                    { value: '50,0%', target: '100%', n: '3' }),
          };
        }"""
    )
    assert result == {
        "known": "Xử lý trên mạng",
        "added": "Họp không giấy",
        "missing": "Họp không giấy 50,0%, chỉ tiêu 100%: còn thiếu 3.",
        "worded": "Xử lý trên mạng 50,0%, chỉ tiêu 100%: còn 3 văn bản xử lý trên giấy hoặc đã in.",
    }
