"""The demo's results reports and notifications (issue 24):

- every unit's contacts (a clerk; the head for departments; the province's administrator)
  imported with the registry CSV;
- most units' results reports written and submitted to their parents (a few late, a few
  left missing, one returned by its department), deadlines moved around today as the
  nominations demo does (the real ones, 18/8 and 20/8/2025, are long past);
- the notifications job, run twice (the second run sends nothing), with the count of
  captured messages per kind and where to read them;
- the province's tracking view and the public scoreboard's addresses.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import requests

TokenFor = Callable[[str, str | None], str]
REPORTING = ("division", "department", "commune")
NARRATIVE = {
    "done": "Xử lý văn bản trên môi trường mạng, ký số văn bản phát hành, liên thông hai chiều "
    "với các đơn vị; đánh giá cán bộ bằng KPI hằng tháng.",
    "initiatives": "Họp không giấy trên máy tính bảng; ký số trên điện thoại di động.",
    "difficulties": "Một số máy quét cũ; đường truyền chậm vào giờ cao điểm.",
    "proposals": "Bổ sung kinh phí thay máy quét; tập huấn ký số cho cán bộ mới.",
}


class _Api:
    def __init__(self, base_url: str, timeout: float = 120) -> None:
        self.base = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()

    def call(self, token: str, method: str, path: str, **kwargs: Any) -> Any:
        response = self.session.request(
            method,
            self.base + path,
            headers={"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})},
            timeout=self.timeout,
            **kwargs,
        )
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path} -> {response.status_code}: {response.text[:300]}")
        return response.json() if response.content else None


def _vn(day: str) -> str:
    """An ISO date as people write it here: 08/12/2026."""
    return dt.date.fromisoformat(day).strftime("%d/%m/%Y")


def _pick(unit_id: str, salt: str) -> int:
    """A stable number 0..99 per unit: which units are late, missing or returned."""
    return int(hashlib.sha256(f"{salt}/{unit_id}".encode()).hexdigest()[:8], 16) % 100


def contacts_csv(units: list[dict[str, Any]]) -> str:
    lines = ["unit_id,email,role"]
    for unit in sorted(units, key=lambda u: u["unit_id"]):
        local = unit["unit_id"].replace(".", "-").lower()
        if unit["level"] == "province":
            if not unit.get("parent_id"):
                lines.append(f"{unit['unit_id']},quantri.{local}@demo.khanhhoa.gov.vn,admin")
            continue
        lines.append(f"{unit['unit_id']},vanthu.{local}@demo.khanhhoa.gov.vn,clerk")
        if unit["level"] == "department":
            lines.append(f"{unit['unit_id']},lanhdao.{local}@demo.khanhhoa.gov.vn,head")
    return "\n".join(lines) + "\n"


def run_results_demo(
    base_url: str,
    admin_token: str,
    campaign_id: str,
    units: list[dict[str, Any]],
    *,
    token_for: TokenFor,
    mail_dir: Path,
    console_url: str = "http://127.0.0.1:8080",
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    api = _Api(base_url)
    admin = admin_token
    imported = api.call(
        admin,
        "POST",
        "/admin/units",
        data=contacts_csv(units).encode("utf-8"),
        headers={"Content-Type": "text/csv"},
    )
    log(f"  nhập {imported['contacts']} địa chỉ thư của đơn vị (CSV unit_id,email,role)")

    campaign = api.call(admin, "GET", f"/campaigns/{campaign_id}")
    zone = ZoneInfo(campaign.get("timezone") or "Asia/Ho_Chi_Minh")
    today = dt.datetime.now(zone).date()

    def deadlines(division: dt.date, department: dt.date) -> None:
        nonlocal campaign
        campaign = {
            **campaign,
            "unit_report_deadline": division.isoformat(),
            "department_report_deadline": department.isoformat(),
            "public": True,
        }
        api.call(admin, "POST", "/admin/campaigns", json=campaign)

    # The real deadlines (18/8, 20/8/2025) are past: divisions now report by the day after
    # tomorrow, departments and communes in a week (both reminders fall due today).
    deadlines(today + dt.timedelta(days=2), today + dt.timedelta(days=7))
    log(
        f"  (hạn báo cáo thật 18/8 và 20/8/2025 đã qua: bản demo dời hạn sang "
        f"{_vn(campaign['unit_report_deadline'])} (phòng) và "
        f"{_vn(campaign['department_report_deadline'])} "
        "(sở, xã))"
    )
    reporting = sorted(
        (u for u in units if u["level"] in REPORTING), key=lambda u: (u["level"], u["unit_id"])
    )
    missing = [u for u in reporting if _pick(u["unit_id"], "missing") < 12]
    late = [u for u in reporting if u not in missing and _pick(u["unit_id"], "late") < 10]
    drafts = [u for u in reporting if u not in missing and u not in late][:3]
    on_time = [u for u in reporting if u not in missing and u not in late and u not in drafts]
    ids: dict[str, str] = {}

    def write(unit: dict[str, Any], submit: bool) -> None:
        token = token_for("unit_officer", unit["unit_id"])
        report = api.call(
            token,
            "POST",
            f"/campaigns/{campaign_id}/results-reports",
            json={"unit_id": unit["unit_id"], "sections": NARRATIVE},
        )
        ids[unit["unit_id"]] = report["results_report_id"]
        if submit:
            api.call(token, "POST", f"/results-reports/{report['results_report_id']}/submit")

    for unit in on_time:
        write(unit, True)
    for unit in drafts:
        write(unit, False)
    # A late batch: the deadlines had passed when these units submitted.
    deadlines(today - dt.timedelta(days=1), today - dt.timedelta(days=1))
    for unit in late:
        write(unit, True)
    deadlines(today + dt.timedelta(days=2), today + dt.timedelta(days=7))
    log(
        f"  {len(on_time)} báo cáo nộp đúng hạn, {len(late)} nộp muộn, {len(drafts)} đang soạn, "
        f"{len(missing)} đơn vị chưa lập báo cáo"
    )
    returned = next((u for u in on_time if u["level"] == "division"), None)
    if returned is not None:
        api.call(
            token_for("unit_officer", returned["parent_id"]),
            "POST",
            f"/results-reports/{ids[returned['unit_id']]}/return",
            json={"reason": "Đề nghị bổ sung phần khó khăn, vướng mắc"},
        )
        log(f"  sở trả lại báo cáo của {returned['name']} để bổ sung")

    tracking = api.call(admin, "GET", f"/campaigns/{campaign_id}/results-reports")
    consolidated = api.call(
        admin,
        "POST",
        f"/campaigns/{campaign_id}/results-reports/consolidated",
        json={"lang": "vi"},
    )

    # Messages of an earlier demo run would mix with these: the ledger starts empty too.
    for old in mail_dir.glob("*.eml") if mail_dir.exists() else []:
        old.unlink()
    before: set[Path] = set()
    # A run stops at its time budget and the next one continues (the ledger knows what went):
    # run until done, then once more, which must send nothing new.
    counts: Counter[str] = Counter()
    runs = 0
    while True:
        outcome = api.call(admin, "POST", "/admin/jobs/notifications")
        result = outcome.get("result") or outcome
        runs += 1
        counts.update({k: v for k, v in result["counts"].items() if k != "already_sent"})
        if result.get("done", True) or runs >= 20:
            break
    first = {"counts": dict(counts), "runs": runs}
    second_outcome = api.call(admin, "POST", "/admin/jobs/notifications")
    second = second_outcome.get("result") or second_outcome
    after = set(mail_dir.glob("*.eml")) if mail_dir.exists() else set()
    return {
        "ledger": ledger_states(api, admin),
        "tracking": tracking,
        "consolidated": consolidated,
        "first": first,
        "second": second,
        "new_files": len(after - before),
        "mail_dir": mail_dir,
        "console_url": console_url,
        "public_url": f"{console_url}/public.html?campaign={campaign_id}&level=commune",
        "open_data": f"{base_url.rstrip('/')}/public/campaigns/{campaign_id}/open-data.csv",
    }


def ledger_states(api: _Api, admin: str) -> Counter[str]:
    """Today's messages in the mail ledger by state (claim, send, confirm: all `sent` once
    the runs are done; `unsubscribed`/`suppressed` never went)."""
    states: Counter[str] = Counter()
    day = dt.datetime.now(dt.UTC).date().isoformat()
    token: str | None = None
    while True:
        query = f"/admin/mail?day={day}&limit=100" + (f"&next_token={token}" if token else "")
        page = api.call(admin, "GET", query)
        states.update(item["status"] for item in page["items"])
        token = page.get("next_token")
        if not token:
            return states


STATE_WORDS = {
    "sent": "đã gửi và xác nhận",
    "claimed": "đang gửi, chưa xác nhận",
    "failed": "SES từ chối, sẽ gửi lại",
    "unsubscribed": "người nhận đã hủy đăng ký",
    "suppressed": "địa chỉ bị chặn (thư bị trả lại, khiếu nại)",
}
KIND_WORDS = {
    "digest": "bản tin tuần",
    "reminder": "nhắc hạn",
    "status": "thay đổi trạng thái",
    "alert": "cảnh báo cho quản trị",
}


OUTCOME_WORDS = {
    "resumed": "thư gửi tiếp thay lượt chạy trước bị lỗi",
    "in_flight": "thư đang do lượt chạy khác gửi",
    "unsubscribed": "người nhận đã hủy đăng ký",
    "suppressed": "địa chỉ bị chặn",
    "failed": "SES từ chối, lượt sau gửi lại",
}


def _outcome_words(key: str) -> str:
    """A count's key from the job ("digest_unsubscribed", "resumed") in words."""
    kind, _, outcome = key.partition("_")
    if kind in KIND_WORDS and outcome in OUTCOME_WORDS:
        return f"{KIND_WORDS[kind]}: {OUTCOME_WORDS[outcome]}"
    return OUTCOME_WORDS.get(key, key)


def print_summary(result: dict[str, Any], root: Path) -> None:
    tracking = result["tracking"]
    counts = tracking["counts"]
    print(
        "\nTÌNH HÌNH NỘP BÁO CÁO KẾT QUẢ (các sở, ban, ngành và xã, phường gửi tỉnh; "
        f"hôm nay {_vn(tracking['today'])})"
    )
    print(
        f"  đã nộp đúng hạn {counts['submitted']}, nộp muộn {counts['late']}, "
        f"đang soạn {counts['draft']}, chưa có {counts['missing']}"
    )
    behind = [i for i in tracking["items"] if i["state"] in ("missing", "draft")][:5]
    for item in behind:
        word = "chưa có" if item["state"] == "missing" else "đang soạn"
        print(f"    {item['name']}: {word}, còn {item['days_left']} ngày")
    report = result["consolidated"]
    print(
        f"  báo cáo tổng hợp: {report['report_id']} (PDF, XLSX, CSV; tải qua "
        "GET /reports/{id}/download)"
    )
    first, second = result["first"], result["second"]
    sent = Counter({k: v for k, v in first["counts"].items() if k in KIND_WORDS})
    print(
        f"\nTHƯ THÔNG BÁO (job notifications, {first['runs']} lần chạy tới khi xong; môi trường "
        "thử: chỉ ghi lại, không gửi đi)"
    )
    for kind, words in KIND_WORDS.items():
        print(f"  {words}: {sent.get(kind, 0)} thư")
    others = {k: v for k, v in first["counts"].items() if k not in KIND_WORDS}
    if others:
        print("  khác: " + ", ".join(f"{v} {_outcome_words(k)}" for k, v in sorted(others.items())))
    print(
        f"  chạy lại thêm một lần: {second['counts'].get('already_sent', 0)} thư đã gửi trước đó, "
        f"{sum(v for k, v in second['counts'].items() if k in KIND_WORDS)} thư mới"
    )
    ledger = result["ledger"]
    print(
        "  sổ ghi thư hôm nay (mỗi thư một khóa: nhận việc, gửi, xác nhận): "
        + ", ".join(f"{n} {STATE_WORDS.get(s, s)}" for s, n in sorted(ledger.items()))
    )
    mail_dir = Path(result["mail_dir"])
    shown = mail_dir.relative_to(root) if mail_dir.is_relative_to(root) else mail_dir
    print(f"  đọc thư: {shown}/ ({result['new_files']} tệp .eml), hoặc trang “Thư đã ghi lại”")
    print(f"  của quản trị tỉnh trên bảng điều hành: {result['console_url']}/#/mail")
    print("\nBẢNG XẾP HẠNG CÔNG KHAI (không cần đăng nhập)")
    print(f"  {result['public_url']}")
    print(f"  dữ liệu mở: {result['open_data']} (và .json)")
