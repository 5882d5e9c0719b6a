"""The notifications job over the API: the right units, exactly once across reruns,
per-kind unsubscribe honoured, SES bounces suppress, nothing secret or personal in any
captured message; contacts imported with the registry CSV."""

from __future__ import annotations

import datetime as dt
import email
import json
from email import policy
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from chalicelib import clock
from chalicelib.domain import notifications as rules
from tests.conftest import body
from tests.factories import (
    COMMUNE,
    DEPARTMENT,
    DIVISION,
    OFFICIALS,
    OTHER_DEPARTMENT,
    PROVINCE,
    load_registry,
)

CAMPAIGN = "kh-2025"
# 08:00 local (the job's schedule) on 11/8: seven days before the divisions' deadline (18/8).
AUG_11 = dt.datetime(2025, 8, 11, 1, 0, tzinfo=dt.UTC)
AUG_16 = dt.datetime(2025, 8, 16, 1, 0, tzinfo=dt.UTC)  # two days before 18/8
CONTACTS_CSV = "\n".join(
    [
        "unit_id,email,role",
        f"{DIVISION},phong.tcbc@snv.khanhhoa.gov.vn,clerk",
        f"{DIVISION},truong.phong@snv.khanhhoa.gov.vn,head",
        f"{DEPARTMENT},vanthu@snv.khanhhoa.gov.vn,clerk",
        f"{OTHER_DEPARTMENT},vanthu@skhcn.khanhhoa.gov.vn,clerk",
        f"{COMMUNE},vanthu@nhatrang.khanhhoa.gov.vn,clerk",
        f"{PROVINCE},quantri@khanhhoa.gov.vn,admin",
    ]
)


@pytest.fixture
def mailroom(api: Any, setting: Any, tmp_path: Path) -> Any:
    setting("MAIL_CAPTURE_DIR", str(tmp_path / "mail"))
    setting("MAIL_SEND_RATE", "1000")
    load_registry(api)
    r = api.post(
        "/admin/campaigns",
        {
            "campaign_id": CAMPAIGN,
            "name": "Ngày không in giấy 2025",
            "start_date": "2025-07-15",
            "end_date": "2025-08-15",
            "timezone": "Asia/Ho_Chi_Minh",
            "unit_report_deadline": "2025-08-18",
            "department_report_deadline": "2025-08-20",
            "nomination_deadline": "2025-08-20",
        },
    )
    assert r.status_code in (200, 201), r.body
    r = api.request(
        "POST",
        "/admin/units",
        headers={"Content-Type": "text/csv"},
        raw=CONTACTS_CSV.encode(),
    )
    assert r.status_code == 200, r.body
    assert body(r)["contacts"] == 6
    api.mail_dir = tmp_path / "mail"
    return api


def run_job(api: Any) -> dict[str, Any]:
    r = api.post("/admin/jobs/notifications")
    assert r.status_code in (200, 202), r.body
    result = body(r)
    return dict(result.get("result") or result)


def ses_sent() -> int:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return len(ses_backends[DEFAULT_ACCOUNT_ID]["ap-southeast-1"].sent_messages)


def captured(api: Any) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(p.read_bytes(), policy=policy.default)  # type: ignore[misc]
        for p in sorted(api.mail_dir.glob("*.eml"))
    ]


def kinds_to(messages: list[Any], address: str) -> list[str]:
    return sorted(str(m["X-Khong-Giay-Kind"]) for m in messages if str(m["To"]) == address)


def test_contacts_are_registry_data(mailroom):
    r = mailroom.get(f"/units/{DIVISION}/contacts")
    assert r.status_code == 200, r.body
    assert [(c["email"], c["role"]) for c in body(r)["items"]] == [
        ("phong.tcbc@snv.khanhhoa.gov.vn", "clerk"),
        ("truong.phong@snv.khanhhoa.gov.vn", "head"),
    ]
    other = mailroom.make_token("unit_officer", COMMUNE)
    assert mailroom.get(f"/units/{DIVISION}/contacts", token=other).status_code == 403
    bad = "unit_id,email,role\nnope,x@y.vn,clerk\n"
    r = mailroom.request(
        "POST", "/admin/units", headers={"Content-Type": "text/csv"}, raw=bad.encode()
    )
    assert r.status_code == 400


def test_reminders_and_digests_go_to_the_right_units_exactly_once(mailroom):
    with clock.frozen(AUG_11):
        first = run_job(mailroom)
        sent = ses_sent()
        messages = captured(mailroom)
        again = run_job(mailroom)
        third = run_job(mailroom)
    assert first["counts"].get("reminder") == 2  # the division's two contacts, 7 days before
    assert first["counts"].get("digest") == 5  # every ranked unit's contacts
    assert ses_sent() == sent == len(messages)
    assert again["counts"] == third["counts"] == {"already_sent": first["due"]}
    assert len(captured(mailroom)) == len(messages)  # no file twice either
    assert kinds_to(messages, "phong.tcbc@snv.khanhhoa.gov.vn") == ["digest", "reminder"]
    assert kinds_to(messages, "vanthu@snv.khanhhoa.gov.vn") == ["digest"]  # 20/8 is 9 days off
    reminder = next(m for m in messages if m["X-Khong-Giay-Kind"] == "reminder")
    assert "còn 7 ngày" in str(reminder["Subject"])
    assert reminder["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    parts = {p.get_content_type() for p in reminder.walk()}
    assert {"text/plain", "text/html"} <= parts

    # The captured mail, for the province admin only.
    r = mailroom.get("/admin/mail?day=2025-08-11")
    assert r.status_code == 200, r.body
    page = body(r)
    assert page["capture"] is True and len(page["items"]) == len(messages)
    assert all(i["text"] and i["html"] for i in page["items"])
    officer = mailroom.make_token("unit_officer", DIVISION)
    assert mailroom.get("/admin/mail", token=officer).status_code == 403


def test_submitted_units_get_no_reminder(mailroom):
    token = mailroom.make_token("unit_officer", DIVISION, sub="van-thu")
    with clock.frozen(AUG_11):
        r = mailroom.post(
            f"/campaigns/{CAMPAIGN}/results-reports",
            {"unit_id": DIVISION, "sections": {"done": "Xong"}},
            token=token,
        )
        rid = body(r)["results_report_id"]
        assert mailroom.post(f"/results-reports/{rid}/submit", token=token).status_code == 200
        result = run_job(mailroom)
    assert "reminder" not in result["counts"]


def test_unsubscribe_is_per_kind_and_one_click(mailroom):
    address = "phong.tcbc@snv.khanhhoa.gov.vn"
    with clock.frozen(AUG_11):
        run_job(mailroom)
    reminder = next(
        m
        for m in captured(mailroom)
        if m["X-Khong-Giay-Kind"] == "reminder" and str(m["To"]) == address
    )
    link = str(reminder["List-Unsubscribe"]).strip("<>")
    target = urlsplit(link)
    path = f"{target.path}?{target.query}"
    # A GET (a link scanner) shows the page and changes nothing.
    r = mailroom.get(path, token=None)
    assert r.status_code == 200 and "text/html" in r.headers["Content-Type"]
    r = mailroom.request(
        "POST",
        path,
        token=None,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        raw=b"List-Unsubscribe=One-Click",
    )
    assert r.status_code == 200, r.body
    # A forged token is refused.
    forged = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    r = mailroom.request(
        "POST",
        forged,
        token=None,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        raw=b"List-Unsubscribe=One-Click",
    )
    assert r.status_code == 400
    contacts = body(mailroom.get(f"/units/{DIVISION}/contacts"))["items"]
    assert next(c for c in contacts if c["email"] == address)["unsubscribed"] == ["reminder"]

    with clock.frozen(AUG_16):  # two days before: another reminder is due
        result = run_job(mailroom)
    assert result["counts"]["reminder_unsubscribed"] == 1
    assert result["counts"]["reminder"] == 1  # the head of the division still gets it
    late = [m for m in captured(mailroom) if "còn 2 ngày" in str(m["Subject"])]
    assert [str(m["To"]) for m in late] == ["truong.phong@snv.khanhhoa.gov.vn"]


def test_ses_bounces_and_complaints_suppress_the_address(mailroom):
    def sns(note: dict[str, Any]) -> dict[str, Any]:
        return {"Records": [{"EventSource": "aws:sns", "Sns": {"Message": json.dumps(note)}}]}

    bounce = sns(
        {
            "notificationType": "Bounce",
            "bounce": {
                "bounceType": "Permanent",
                "bounceSubType": "NoEmail",
                "bouncedRecipients": [{"emailAddress": "vanthu@nhatrang.khanhhoa.gov.vn"}],
            },
        }
    )
    transient = sns(
        {
            "notificationType": "Bounce",
            "bounce": {
                "bounceType": "Transient",
                "bouncedRecipients": [{"emailAddress": "vanthu@skhcn.khanhhoa.gov.vn"}],
            },
        }
    )
    complaint = sns(
        {
            "notificationType": "Complaint",
            "complaint": {"complainedRecipients": [{"emailAddress": "VANTHU@snv.khanhhoa.gov.vn"}]},
        }
    )
    for event in (bounce, transient, complaint):
        mailroom.client.lambda_.invoke("ses_feedback", event)
    with clock.frozen(AUG_11):
        result = run_job(mailroom)
        messages = captured(mailroom)
    assert result["counts"]["digest_suppressed"] == 2
    recipients = {str(m["To"]) for m in messages}
    assert "vanthu@nhatrang.khanhhoa.gov.vn" not in recipients
    assert "vanthu@snv.khanhhoa.gov.vn" not in recipients
    assert "vanthu@skhcn.khanhhoa.gov.vn" in recipients  # a transient bounce suppresses nothing


def test_status_changes_and_admin_alerts(mailroom):
    token = mailroom.make_token("unit_officer", DIVISION, sub="van-thu")
    with clock.frozen(AUG_11):
        r = mailroom.post(
            f"/campaigns/{CAMPAIGN}/results-reports",
            {"unit_id": DIVISION, "sections": {"done": "Xong"}},
            token=token,
        )
        rid = body(r)["results_report_id"]
        mailroom.post(f"/results-reports/{rid}/submit", token=token)
        r = mailroom.post(
            f"/results-reports/{rid}/return",
            {"reason": "Thiếu số liệu của ông Trần Văn Đức"},
            token=mailroom.make_token("unit_officer", DEPARTMENT),
        )
        assert r.status_code == 200
        result = run_job(mailroom)
        again = run_job(mailroom)
    assert result["counts"]["status"] == 2  # both contacts of the division
    assert result["counts"]["alert"] == 1  # nothing arrived from any unit: silent
    assert "status" not in again["counts"]
    messages = captured(mailroom)
    status = [m for m in messages if m["X-Khong-Giay-Kind"] == "status"]
    assert {str(m["To"]) for m in status} == {
        "phong.tcbc@snv.khanhhoa.gov.vn",
        "truong.phong@snv.khanhhoa.gov.vn",
    }
    alert = next(m for m in messages if m["X-Khong-Giay-Kind"] == "alert")
    assert str(alert["To"]) == "quantri@khanhhoa.gov.vn"


def test_no_message_carries_anything_secret_or_personal(mailroom):
    """Scan every captured message: no secret-document word, no official's name, no free
    text typed by a person (the return reason names an official)."""
    token = mailroom.make_token("unit_officer", DIVISION, sub="van-thu")
    with clock.frozen(AUG_11):
        r = mailroom.post(
            f"/campaigns/{CAMPAIGN}/results-reports",
            {"unit_id": DIVISION, "sections": {"done": "Văn bản Mật được xử lý riêng"}},
            token=token,
        )
        rid = body(r)["results_report_id"]
        mailroom.post(f"/results-reports/{rid}/submit", token=token)
        mailroom.post(
            f"/results-reports/{rid}/return",
            {"reason": "Ông Trần Văn Đức bổ sung văn bản tuyệt mật"},
            token=mailroom.make_token("unit_officer", DEPARTMENT),
        )
        run_job(mailroom)
    names = [o["full_name"] for o in OFFICIALS]
    messages = captured(mailroom)
    assert len(messages) >= 8
    for message in messages:
        for part in message.walk():
            if part.get_content_maintype() == "text":
                text = part.get_content()
                assert rules.forbidden_words_in(text, names) == [], (message["Subject"], text)
        assert rules.forbidden_words_in(str(message["Subject"]), names) == []


def test_initiative_reminders_go_to_units_without_a_submitted_initiative(mailroom):
    campaign = body(mailroom.get(f"/campaigns/{CAMPAIGN}"))
    r = mailroom.post("/admin/campaigns", {**campaign, "initiative_deadline": "2025-08-13"})
    assert r.status_code in (200, 201), r.body
    with clock.frozen(AUG_11):  # two days before the initiatives' deadline
        run_job(mailroom)
    subjects = {
        str(m["To"]): str(m["Subject"])
        for m in captured(mailroom)
        if m["X-Khong-Giay-Kind"] == "reminder" and "sáng kiến" in str(m["Subject"])
    }
    assert set(subjects) == {
        "vanthu@snv.khanhhoa.gov.vn",
        "vanthu@skhcn.khanhhoa.gov.vn",
        "vanthu@nhatrang.khanhhoa.gov.vn",
    }
    assert all("còn 2 ngày" in s for s in subjects.values())


def test_the_admins_alert_names_silent_sources_and_firing_alarms(mailroom, setting):
    """The province admin's daily alert: each enabled document system silent for the
    freshness window, the count of silent units, and the stack's alarms in ALARM (stream
    and sweep failures) - not another stack's, not one that is OK; to the admin only."""
    from chalicelib.storage.aws import client

    setting("ALARM_PREFIX", "khong-giay-test-")
    r = mailroom.post(
        "/admin/sources", {"source_id": "eo", "name": "QLVB eOffice", "units": [PROVINCE]}
    )
    assert r.status_code in (200, 201), r.body
    cloudwatch = client("cloudwatch")
    for name, state in (
        ("khong-giay-test-FoldInbox-Errors", "ALARM"),
        ("khong-giay-test-StreamFailures", "OK"),
        ("another-stack-FoldInbox-Errors", "ALARM"),
    ):
        cloudwatch.put_metric_alarm(
            AlarmName=name,
            MetricName="Errors",
            Namespace="AWS/Lambda",
            Statistic="Sum",
            Period=60,
            EvaluationPeriods=1,
            Threshold=1,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
        )
        cloudwatch.set_alarm_state(AlarmName=name, StateValue=state, StateReason="test")
    with clock.frozen(AUG_11):
        result = run_job(mailroom)
    assert result["counts"]["alert"] == 1
    [alert] = [m for m in captured(mailroom) if m["X-Khong-Giay-Kind"] == "alert"]
    assert str(alert["To"]) == "quantri@khanhhoa.gov.vn"
    text = alert.get_body(preferencelist=("plain",)).get_content()
    assert "QLVB eOffice" in text
    assert "khong-giay-test-FoldInbox-Errors" in text
    assert "StreamFailures" not in text and "another-stack" not in text
    assert "Số đơn vị không phát sinh dữ liệu" in text


def test_nomination_reminders_and_the_last_day(mailroom):
    """Nominations are due 20/8: on 13/8 (08:00 local) every department and commune that
    has not submitted one hears it (a division nominates through its department); on the
    division's own deadline day (18/8) its reminder says it is the last day."""
    from tests.nominations import submitted

    aug_13 = dt.datetime(2025, 8, 13, 1, 0, tzinfo=dt.UTC)
    aug_18 = dt.datetime(2025, 8, 18, 1, 0, tzinfo=dt.UTC)
    with clock.frozen(aug_13):
        officer = mailroom.make_token("unit_officer", OTHER_DEPARTMENT, sub="vt-skhcn")
        submitted(mailroom, officer, campaign=CAMPAIGN, nominee_unit_id=OTHER_DEPARTMENT)
        run_job(mailroom)
    nominations = sorted(
        str(m["To"])
        for m in captured(mailroom)
        if m["X-Khong-Giay-Kind"] == "reminder" and "hồ sơ đề nghị" in str(m["Subject"])
    )
    assert nominations == ["vanthu@nhatrang.khanhhoa.gov.vn", "vanthu@snv.khanhhoa.gov.vn"]
    with clock.frozen(aug_18):
        run_job(mailroom)
    last_day = [
        str(m["To"]) for m in captured(mailroom) if "hôm nay là hạn cuối" in str(m["Subject"])
    ]
    assert sorted(last_day) == [
        "phong.tcbc@snv.khanhhoa.gov.vn",
        "truong.phong@snv.khanhhoa.gov.vn",
    ]


def test_the_unsubscribe_routes_are_bounded_like_public_routes(mailroom):
    """No token, so bounded: a form larger than 2 KiB is a 400 with a clear message, and
    each client address gets 20 requests a minute (GET and POST together), then 429 with
    Retry-After."""
    from chalicelib.services import public_limits
    from chalicelib.services.notifications import deliver

    with clock.frozen(AUG_11):
        link = urlsplit(deliver.unsubscribe_url("phong.tcbc@snv.khanhhoa.gov.vn", "digest"))
        path = f"{link.path}?{link.query}"
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        r = mailroom.request(
            "POST",
            path,
            token=None,
            headers=form,
            raw=b"List-Unsubscribe=One-Click&x=" + b"a" * 3000,
        )
        assert r.status_code == 400 and "too large" in body(r)["error"]["message"]
        limit, _window = public_limits.LIMITS["unsubscribe"]
        # the POST above counted: limit - 1 more requests, then the limit
        statuses = [mailroom.get(path, token=None).status_code for _ in range(limit - 1)]
        r = mailroom.get(path, token=None)
    assert statuses == [200] * (limit - 1)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
