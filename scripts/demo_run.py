"""`make demo`: the whole main job on the local stack, start to finish.

Starts moto + chalice local, loads the demo province and the Khánh Hòa 2025
campaign, registers a document system, sends a simulated month of signed
events (with duplicates and out-of-order delivery), aggregates, and prints the
leaderboards and the figures of a compliant and a non-compliant unit.
"""

from __future__ import annotations

import argparse
import time
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import requests

from chalicelib.domain.vocabulary import CRITERIA_BY_KEY
from scripts.local_stack import LocalStack

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "out"


class Client:
    def __init__(self, stack: LocalStack) -> None:
        self.base = stack.api_url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {stack.admin_token()}"

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.session.request(method, self.base + path, timeout=120, **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path} -> {response.status_code}: {response.text[:500]}")
        return response.json() if response.content else None


def width(text: str) -> int:
    return sum(0 if unicodedata.combining(c) else 1 for c in text)


def pad(text: str, size: int) -> str:
    return text + " " * max(0, size - width(text))


def pct(value: float | None) -> str:
    return "  —  " if value is None else f"{value * 100:5.1f}%"


def print_leaderboard(title: str, items: list[dict[str, Any]], limit: int = 15) -> None:
    print(f"\n{title}")
    name_width = max([width(i["name"]) for i in items[:limit]] + [10])
    print(
        f"{'Hạng':>4}  {pad('Đơn vị', name_width)}  {'Điểm':>6}  {'Xử lý':>6}  {'Ký số':>6}"
        f"  {'Phát hành':>9}  {'KPI':>6}  {'Liên thông':>10}  {'Văn bản':>7}  Đạt"
    )
    for item in items[:limit]:
        two_way = {True: "có", False: "không", None: "—"}[item["two_way_interconnection"]]
        print(
            f"{item['rank']:>4}  {pad(item['name'], name_width)}  {item['score']:>6.1f}  "
            f"{pct(item['online_rate']):>6}  {pct(item['signing_rate']):>6}  "
            f"{pct(item['e_issuance_rate']):>9}  {pct(item['kpi_coverage']):>6}  "
            f"{two_way:>10}  {item['processed_total']:>7}  {'✔' if item['compliant'] else '✘'}"
        )
    if len(items) > limit:
        print(f"      … {len(items) - limit} đơn vị khác")


def _gap(text: tuple[str, str] | None, count: int | None) -> str:
    """The vocabulary's words for a rate's gap (its Vietnamese form), when there is one."""
    return f" ({text[0].format(count=count).rstrip('.')})" if text and count else ""


def print_unit(client: Client, unit: dict[str, Any], campaign: dict[str, Any]) -> None:
    data = client.call(
        "GET",
        f"/units/{unit['unit_id']}/kpi",
        params={"campaign_id": campaign["campaign_id"]},
    )
    m, c = data["metrics"], data["compliance"]
    verdict = "ĐẠT tất cả tiêu chí" if c["compliant"] else "CHƯA ĐẠT"
    print(
        f"\n{unit['name']} ({unit['unit_id']}): điểm {data['score']:.1f}, {verdict} "
        f"(phong trào {data['campaign_id']}, {data['from']} → {data['to']})"
    )
    print(
        f"  xử lý trên mạng   {m['processed_online']}/{m['processed_total']} ({pct(m['online_rate']).strip()})"
    )
    print(
        f"  ký số             {m['issued_signed_digitally']}/{m['issued_total']} ({pct(m['signing_rate']).strip()})"
    )
    print(
        f"  phát hành điện tử {m['issued_online']}/{m['issued_total']} ({pct(m['e_issuance_rate']).strip()})"
    )
    print(
        f"  đánh giá KPI      {m['officials_evaluated']}/{m['officials_active']} ({pct(m['kpi_coverage']).strip()})"
    )
    print(
        f"  liên thông 2 chiều {'có' if m['two_way_interconnection'] else 'không'}; văn bản mật/miễn trừ {m['exempt_total']}; "
        f"trang giấy {m['paper_pages']}"
    )
    missing = [k for k, ok in c.items() if k != "compliant" and ok is False]
    if missing:
        # The criteria's Vietnamese names, not their keys: this is read by province staff;
        # how many items each rate still lacks is the API's (shortfalls).
        gaps = data.get("shortfalls") or {}
        print(
            "  còn thiếu: "
            + ", ".join(
                CRITERIA_BY_KEY[k].label[0] + _gap(CRITERIA_BY_KEY[k].shortfall, gaps.get(k))
                for k in missing
            )
        )


def load_month(
    stack: LocalStack, days: int, size: str = "demo"
) -> tuple[Client, list[dict[str, Any]], dict[str, Any]]:
    """Load the demo province and campaign, send a simulated month of events (JSON and
    edXML), and aggregate them. Shared by `make demo` and `make console`. `size` "large":
    the province shaped like Hồ Chí Minh City (scripts/demo/large.py; issue 23)."""
    from scripts.demo import large, province, simulator

    client = Client(stack)
    units, officials, campaign = (
        province.demo_units(),
        province.demo_officials(),
        province.demo_campaign(),
    )
    volume, codes = 1.0, None
    if size == "large":
        units = large.units()
        officials = large.officials(units)
        volume, codes = large.VOLUME, large.codes(units)
        campaign = {**campaign, "name": campaign["name"] + " (quy mô TP. Hồ Chí Minh)"}
        print(
            f"→ Quy mô lớn (TP. Hồ Chí Minh): {len(units)} đơn vị, {len(officials)} cán bộ, "
            f"~{large.VOLUME:.0f} lần nhịp độ tỉnh mẫu (gần 2,5 triệu sự kiện/tháng)"
        )
    # The province's own unit (the large size's is another province's code).
    root_id = next(u["unit_id"] for u in units if u["level"] == "province" and not u["parent_id"])
    print(f"→ Nạp danh mục tỉnh mẫu: {len(units)} đơn vị, {len(officials)} cán bộ")
    for start in range(0, max(len(units), len(officials)), 2000):
        client.call(
            "POST",
            "/admin/units",
            json={
                "units": units[start : start + 2000] if start < len(units) else [],
                "officials": officials[start : start + 2000],
            },
        )
    client.call("POST", "/admin/campaigns", json=campaign)
    print(
        f"→ Phong trào {campaign['campaign_id']}: {campaign['start_date']} → {campaign['end_date']}"
    )
    created = client.call(
        "POST",
        "/admin/sources",
        json={
            "source_id": "demo-eoffice",
            "name": "Hệ thống quản lý văn bản tỉnh (demo)",
            "units": [root_id],  # the province's e-office serves every unit
        },
    )
    from scripts.demo import edxml_sender

    month = simulator.generate_month(
        units,
        officials,
        start=date.fromisoformat(campaign["start_date"]),
        days=days,
        volume=volume,
        codes=codes,
    )
    # A share of whole documents arrives as edXML pushed by the provincial hub instead, and
    # another is pulled from the hub by the pull_hubs job (no document travels two ways).
    from scripts import fake_hub

    edxml_part, hub_part, events = fake_hub.demo_split(month)
    batches = simulator.delivery_plan(events, seed=2025, batch_size=200)
    print(
        f"→ Gửi {len(events)} sự kiện có chữ ký trong {len(batches)} lượt webhook "
        "(có sự kiện trùng, đến sai thứ tự và lượt gửi lại)"
    )
    started = time.monotonic()
    summary = simulator.send(
        batches, base_url=stack.api_url, source_id="demo-eoffice", secret=created["secret"]
    )
    print(
        f"  nhận {summary.accepted}, trùng {summary.duplicates}, "
        f"{summary.requests} yêu cầu trong {time.monotonic() - started:.1f} giây"
    )
    hub = client.call(
        "POST",
        "/admin/sources",
        json={
            "source_id": "demo-lgsp",
            "name": "Trục liên thông văn bản tỉnh (edXML)",
            "units": [root_id],  # the provincial hub relays for every unit
        },
    )
    print(f"→ Gửi {len(edxml_part)} sự kiện cùng tháng dưới dạng gói tin và trạng thái edXML")
    edxml_summary = edxml_sender.send_edxml(
        edxml_part, base_url=stack.api_url, source_id="demo-lgsp", secret=hub["secret"]
    )
    print(f"  edXML: {edxml_summary.in_vietnamese()}")
    if stack.hub is not None:
        pull_from_hub(client, stack, hub_part, campaign, root_id)
    print("→ Tổng hợp chỉ số (aggregate_kpi)")
    started = time.monotonic()
    total, runs = 0, []
    while True:
        run = client.call("POST", "/admin/jobs/aggregate_kpi")
        runs.append(run)
        result = run["result"]
        total += result.get("events", 0)
        if result.get("done"):
            break
    print(f"  đã tổng hợp {total} sự kiện trong {time.monotonic() - started:.1f} giây")
    # Jobs run off the API function (in AWS: RunJob, started asynchronously); each run is
    # recorded and can be read back.
    last = client.call("GET", f"/admin/jobs/aggregate_kpi/runs/{runs[-1]['run_id']}")
    print(
        f"  Lượt chạy tác vụ: {len(runs)}; lượt cuối {last['run_id'][:8]}… "
        f"trạng thái «{last['state']}» (GET /admin/jobs/aggregate_kpi/runs/{{run_id}})"
    )
    return client, units, campaign


def pull_from_hub(
    client: Client,
    stack: LocalStack,
    hub_events: list[dict[str, Any]],
    campaign: dict[str, Any],
    province_id: str | None = None,
) -> None:
    """Register the fake provincial hub as a hub source and run pull_hubs until it has
    everything; print what was pulled, in Vietnamese."""
    from scripts import fake_hub

    messages = fake_hub.month_messages(hub_events)
    url = stack.serve_hub(messages)
    client.call(
        "POST",
        "/admin/sources",
        json={
            "source_id": "demo-lgsp-pull",
            "name": "Trục LGSP tỉnh (kéo về, chỉ đọc)",
            "units": [province_id or campaign_province()],
            "kind": "hub",
            "hub": {
                "base_url": url,
                "system_id": fake_hub.SYSTEM_ID,
                "secret": fake_hub.SECRET,
                "poll_every_minutes": 1,
                "pull_from": campaign["start_date"],
            },
        },
    )
    print(
        f"→ Kéo văn bản từ trục liên thông (LGSP giả lập, {url}): {len(messages)} gói và trạng "
        "thái edXML, có lỗi thật (hết thời gian chờ, 500, 429 + Retry-After, liệt kê trùng, "
        "sai thứ tự, liệt kê muộn, một gói hỏng)"
    )
    started = time.monotonic()
    totals = {"listed": 0, "fetched": 0, "stored": 0, "duplicates": 0, "set_aside": 0, "events": 0}
    faults: list[str] = []
    while time.monotonic() - started < 240:
        result = client.call("POST", "/admin/jobs/pull_hubs").get("result") or {}
        runs = [r for r in result.get("hubs", []) if r.get("source_id") == "demo-lgsp-pull"]
        for run in runs:
            for key in totals:
                totals[key] += int(run.get(key, 0))
            if run.get("fault"):
                faults.append(run["fault"])
        status = client.call("GET", "/admin/sources/demo-lgsp-pull/hub")
        last = status.get("last_run") or {}
        if runs and not last.get("more") and not last.get("fault") and not runs[0].get("skipped"):
            break
        time.sleep(2 if runs and runs[0].get("skipped") else 0.2)
    status = client.call("GET", "/admin/sources/demo-lgsp-pull/hub")
    stats = stack.hub.stats
    print(
        f"  đã liệt kê {totals['listed']} lượt, tải {totals['fetched']} gói, lưu mới "
        f"{totals['stored']} gói ({totals['events']} sự kiện), trùng {totals['duplicates']}, "
        f"để riêng {totals['set_aside']} gói không đọc được, trong "
        f"{time.monotonic() - started:.1f} s"
    )
    print(
        f"  lỗi trục đã gặp và vượt qua: {stats.faults['stall']} lần hết thời gian chờ, "
        f"{stats.faults['error']} lỗi 500, {stats.faults['throttle']} lỗi 429; "
        f"{len(faults)} lượt kéo dừng lại và lùi thời gian thử lại"
    )
    for package in status.get("set_aside", []):
        print(f"  để riêng cho quản trị: {package['package_id']}: {package['error'][:100]}")
    cursors = status.get("cursors") or {}
    print("  con trỏ: " + ("; ".join(f"{k} → {v}" for k, v in cursors.items()) or "chưa có"))


def campaign_province() -> str:
    from scripts.demo import province

    return province.PROVINCE_ID


def token_for(role: str, unit_id: str | None) -> str:
    from scripts.devkeys import mint_token

    return mint_token(role, unit_id, sub=f"demo-{role}-{unit_id or 'province'}")


def mint_council_token(sub: str) -> str:
    from scripts.devkeys import mint_token

    return mint_token("council_member", None, sub=sub)


def run(stack: LocalStack, days: int, size: str = "demo") -> None:
    client, units, campaign = load_month(stack, days, size)
    for level, title in (
        ("department", "BẢNG XẾP HẠNG SỞ, BAN, NGÀNH"),
        ("commune", "BẢNG XẾP HẠNG XÃ, PHƯỜNG, ĐẶC KHU"),
    ):
        ranking = client.call(
            "GET", f"/campaigns/{campaign['campaign_id']}/ranking", params={"level": level}
        )
        print_leaderboard(title, ranking["items"])
    ranking = client.call(
        "GET", f"/campaigns/{campaign['campaign_id']}/ranking", params={"level": "commune"}
    )
    by_id = {u["unit_id"]: u for u in units}
    compliant = next((i for i in ranking["items"] if i["compliant"]), None)
    failing = next(
        (i for i in reversed(ranking["items"]) if not i["compliant"] and i["processed_total"]), None
    )
    for item in (compliant, failing):
        if item:
            print_unit(client, by_id[item["unit_id"]], campaign)
    if size == "large":
        # The nominations and council scenes name the demo province's units.
        print("\n(Quy mô lớn: bỏ qua phần hồ sơ khen thưởng và Hội đồng của tỉnh mẫu)")
        from scripts.demo import reports as large_reports

        paths = large_reports.generate_campaign_report(
            stack.api_url, stack.admin_token(), campaign["campaign_id"], OUT
        )
        for path in paths:
            print(f"  {path.relative_to(ROOT)}")
        return

    from scripts.demo import council, nominations, road

    print(
        "\n→ Hồ sơ đề nghị khen thưởng: tệp PDF tải lên qua liên kết ký sẵn, nộp hồ sơ "
        "(phong trào xét khen thưởng qua Hội đồng: thẩm định, công khai, bỏ phiếu)"
    )
    rows = nominations.run_nominations_demo(
        stack.api_url,
        stack.admin_token(),
        campaign["campaign_id"],
        token_for=token_for,
        collectives=5,
        individuals=3,
        approve=0,
    )
    nominations.print_rows(rows)

    print("\n→ Sáng kiến, thẩm định, tạm dừng xét và công khai danh sách (trước khi Hội đồng họp)")
    road.run_road_demo(
        stack.api_url,
        stack.admin_token(),
        campaign["campaign_id"],
        token_for=token_for,
        member_token=mint_council_token,
    )
    print("\n→ Hội đồng Thi đua - Khen thưởng họp: bỏ phiếu kín, chỉ tiêu, văn bản")
    try:
        council.run_council_demo(
            stack.api_url,
            stack.admin_token(),
            campaign["campaign_id"],
            member_token=mint_council_token,
            move_clock=stack.move_clock,
            out_dir=OUT / "council",
        )
    finally:
        # The rest of the demo (results reports, notifications) is dated from today.
        stack.move_clock(None)
    print("  (đồng hồ của máy chủ local trở lại hôm nay cho các phần tiếp theo)")

    from scripts.demo import results

    print(
        "\n→ Báo cáo kết quả thực hiện phong trào gửi cấp trên, địa chỉ thư của đơn vị "
        "và thư thông báo"
    )
    outcome = results.run_results_demo(
        stack.api_url,
        stack.admin_token(),
        campaign["campaign_id"],
        units,
        token_for=token_for,
        mail_dir=Path(stack.env["MAIL_CAPTURE_DIR"]),
        console_url=stack.env.get("CONSOLE_URL", "http://127.0.0.1:8080"),
    )
    results.print_summary(outcome, ROOT)

    from scripts.demo import reports

    print("\n→ Báo cáo phong trào (toàn tỉnh): XLSX, PDF, CSV và bản kê, lưu trên S3")
    paths = reports.generate_campaign_report(
        stack.api_url, stack.admin_token(), campaign["campaign_id"], OUT
    )
    for path in paths:
        print(f"  {path.relative_to(ROOT)}")


def demo_environment() -> dict[str, str]:
    """The shipped demo is the 2025 campaign: its events must not be refused as too old
    (EVENT_MAX_AGE_DAYS, default 400), however long after 2025 the demo is run."""
    import os

    from scripts.demo import province

    start = date.fromisoformat(province.demo_campaign()["start_date"])
    age = (date.today() - start).days + 31
    env = dict(os.environ)
    env.setdefault("EVENT_MAX_AGE_DAYS", str(max(age, 400)))
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the demo province month end to end")
    parser.add_argument("--moto-port", type=int, default=5005)
    parser.add_argument("--api-port", type=int, default=8000)
    parser.add_argument("--hub-port", type=int, default=0, help="the fake hub's port (0: any)")
    parser.add_argument(
        "--days", type=int, default=32, help="days of events from the campaign start"
    )
    parser.add_argument(
        "--size",
        choices=("demo", "large"),
        default="demo",
        help="demo: the Khánh Hòa demo province; large: shaped like Hồ Chí Minh City (slow)",
    )
    args = parser.parse_args()
    print("Starting the local stack (moto server + chalice local)…")
    with LocalStack(
        moto_port=args.moto_port,
        api_port=args.api_port,
        hub_port=args.hub_port,
        scheduler=False,
        quiet=True,
        env=demo_environment(),
    ) as stack:
        print(f"  API {stack.api_url}, AWS (moto) {stack.moto_url}")
        run(stack, args.days, args.size)
    print(
        "\nLocal stack stopped. `make serve` keeps one running to explore the API.\n"
        "To see all this in the web console: `make console`, then open "
        "http://127.0.0.1:8080/ (CONSOLE_PORT) and pick a role and a unit on the dev sign-in page."
    )


if __name__ == "__main__":
    main()
