"""The console's pure helpers, run in the browser as the pages run them: number and date
formats and the nomination deadline's instant (the shortfall to a target is the API's:
tests/unit/test_shortfalls.py)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_formats_and_deadline(console):
    page = console("viewer").open("/scoreboard")
    result = page.evaluate(
        """async () => {
          const format = await import('/js/format.js');
          return {
            number: format.fmtNumber(1234567.25, 1),
            percent: format.fmtPercent(0.9535),
            none: format.fmtPercent(null),
            date: format.fmtDate('2025-07-05'),
            bytes: format.fmtBytes(2.5 * 1024 * 1024),
            // Open until the end of 20/8 in Asia/Ho_Chi_Minh: 00:00 of 21/8 there.
            deadline: format.deadlineInstant('2025-08-20', 'Asia/Ho_Chi_Minh').toISOString(),
            // Across a daylight-saving change (Europe/Paris, 26/10/2025: UTC+2 -> UTC+1).
            dst: format.deadlineInstant('2025-10-25', 'Europe/Paris').toISOString(),
            left: format.fmtTimeLeft((2 * 24 * 60 + 3 * 60 + 5) * 60000),
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
