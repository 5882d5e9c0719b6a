"""Demo of the road to the council (issue 21) over HTTP against a running stack.

`run_road_demo`, on a campaign decided by its council whose nominations are submitted:
has units register initiatives with a PDF each and submit them, seats an initiatives
council of five whose members score them (one is refused as an author), the secretary
closes the assessment by the council's rule; a reviewer appraises the dossiers against the
checklist, a hold recorded on one eligible nominee puts it back to submitted (and its
appraisal is then refused); the posting of the shortlist opens today for five working
days; two people send feedback without a token while it is open and a reviewer answers
both. Everything is printed in Vietnamese. The council's meeting (scripts/demo/council.py)
comes after the window has closed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import requests

from scripts.demo.nominations import _Api, _upload, minimal_pdf

Token = Callable[[str, str | None], str]
MemberToken = Callable[[str], str]
# The initiatives council (Circular 18/2013/TT-BKHCN: chair, vice-chair, secretary, experts).
MEMBERS = [
    ("demo-sk-chu-tich", "Hoàng Văn Nam", "Giám đốc Sở Khoa học và Công nghệ", "chair"),
    ("demo-sk-pho", "Ngô Thị Mai", "Phó Giám đốc Sở Khoa học và Công nghệ", "vice_chair"),
    ("demo-sk-thu-ky", "Bùi Văn Khoa", "Trưởng phòng Quản lý khoa học", "secretary"),
    ("demo-sk-uv-1", "Trịnh Thu Hà", "Chuyên gia chuyển đổi số", "member"),
    ("demo-sk-uv-2", "Đỗ Quang Vinh", "Chuyên gia hành chính công", "member"),
]
SECRETARY = "demo-sk-thu-ky"
STATUS_VI = {"recognised": "được công nhận", "not_recognised": "không được công nhận"}
TITLES = [
    (
        "Số hóa toàn bộ sổ công văn đến, đi",
        "Chuyển sổ công văn giấy sang hệ thống quản lý văn bản điện tử, tra cứu theo số, ngày.",
        "Giảm khoảng 2.000 trang giấy mỗi tháng; tra cứu từ 10 phút còn dưới 1 phút.",
    ),
    (
        "Ký số tập trung cho văn bản phát hành",
        "Mỗi lãnh đạo ký số trên điện thoại; văn thư phát hành ngay trên hệ thống.",
        "100% văn bản phát hành được ký số; thời gian phát hành rút từ 1 ngày còn 2 giờ.",
    ),
    (
        "Họp không giấy bằng tài liệu điện tử",
        "Tài liệu họp gửi qua hệ thống, không in.",
        "Tiết kiệm giấy in tài liệu họp.",
    ),
]
# Each member's points (novelty /30, applicability /30, effectiveness /40) per initiative:
# the first two pass, the third does not.
POINTS = [(25, 25, 35), (22, 24, 30), (10, 12, 15)]


def _today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()


def _unit_and_author(api: _Api, admin: str, unit_id: str) -> tuple[str, dict[str, Any] | None]:
    officials = api.call(admin, "GET", f"/units/{unit_id}/officials", params={"limit": 5})
    active = [o for o in officials["items"] if o.get("active")]
    return unit_id, (active[0] if active else None)


def run_road_demo(
    base_url: str,
    admin_token: str,
    campaign_id: str,
    *,
    token_for: Token,
    member_token: MemberToken,
    timeout: float = 120,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    api = _Api(base_url, timeout)
    campaign = api.call(admin_token, "GET", f"/campaigns/{campaign_id}")
    nominations = api.call(admin_token, "GET", f"/campaigns/{campaign_id}/nominations")["items"]
    # The initiatives come from the nominated collectives: the shortlist shows them.
    units = sorted({n["nominee"]["unit_id"] for n in nominations if n["kind"] == "collective"}) or [
        n["unit_id"] for n in nominations
    ]
    # The initiatives' deadline is campaign data: the demo runs long after 2025.
    api.call(
        admin_token,
        "POST",
        "/admin/campaigns",
        json={**campaign, "initiative_deadline": (_today() + dt.timedelta(days=7)).isoformat()},
    )

    # 1. Units register initiatives, each with a PDF, and submit them.
    registered = []
    author_official = None
    for (title, description, benefit), unit in zip(TITLES, (units * 3)[:3], strict=True):
        unit_id, official = _unit_and_author(api, admin_token, unit)
        officer = token_for("unit_officer", unit_id)
        authors: list[dict[str, str]] = [{"unit_id": unit_id}]
        if official and author_official is None:
            authors = [{"official_id": official["official_id"]}]
            author_official = official
        item = api.call(
            officer,
            "POST",
            f"/campaigns/{campaign_id}/initiatives",
            json={
                "title": title,
                "description": description,
                "benefit": benefit,
                "applied_from": "2025-03-01",
                "authors": authors,
            },
        )
        data = minimal_pdf([title, "Minh chung ap dung sang kien"])
        ticket = api.call(
            officer,
            "POST",
            f"/initiatives/{item['initiative_id']}/files",
            json={
                "filename": "Minh chứng.pdf",
                "content_type": "application/pdf",
                "size": len(data),
                "category": "other",
            },
        )
        _upload(ticket, "Minh chứng.pdf", data, timeout)
        registered.append((item, officer))
    api.call(admin_token, "POST", "/admin/jobs/verify_uploads")
    for item, officer in registered:
        api.call(officer, "POST", f"/initiatives/{item['initiative_id']}/submit")
    log(f"  {len(registered)} sáng kiến được đăng ký, kèm minh chứng PDF (đã kiểm tra), và nộp")

    # 2. The initiatives council: five members; one of them is an author's official.
    members = [
        {"sub": s, "full_name": n, "position": p, "council_role": r} for s, n, p, r in MEMBERS
    ]
    if author_official is not None:
        members[3] = {
            "sub": "demo-sk-uv-1",
            "full_name": author_official["full_name"],
            "position": author_official.get("position") or "Cán bộ",
            "council_role": "member",
            "official_id": author_official["official_id"],
        }
    api.call(
        admin_token,
        "PUT",
        f"/campaigns/{campaign_id}/councils/initiatives",
        json={"members": members, "rule": {"denominator": "scored"}},
    )
    log(
        "  Hội đồng sáng kiến 5 thành viên; công nhận khi ≥ 2/3 số thành viên đã chấm cho "
        "≥ 50/100 điểm (tỉnh chọn mẫu số là số thành viên đã chấm: thành viên tự rút vì là "
        "tác giả không bị tính; Thông tư 18/2013/TT-BKHCN, Điều 8 tính trên tổng số thành viên)"
    )
    for (item, _officer), points in zip(registered, POINTS, strict=True):
        novelty, applicability, effectiveness = points
        for sub, *_ in MEMBERS:
            response = requests.post(
                f"{base_url}/initiatives/{item['initiative_id']}/scores",
                json={
                    "points": {
                        "novelty": novelty,
                        "applicability": applicability,
                        "effectiveness": effectiveness,
                    },
                    "comment": "Nhận xét của thành viên",
                },
                headers={"Authorization": f"Bearer {member_token(sub)}"},
                timeout=timeout,
            )
            if response.status_code == 403 and "recused" in response.text:
                who = next(m["full_name"] for m in members if m["sub"] == sub)
                log(f"  {who} không chấm “{item['title']}”: là tác giả sáng kiến (tự rút)")
            elif response.status_code != 200:
                raise RuntimeError(f"score -> {response.status_code}: {response.text[:300]}")
    closed = api.call(
        member_token(SECRETARY), "POST", f"/campaigns/{campaign_id}/initiatives/assessment/close"
    )
    log("\n  KẾT QUẢ XÉT CÔNG NHẬN SÁNG KIẾN")
    for row in closed["items"]:
        a = row["assessment"]
        log(
            f"  - {row['title']}: {STATUS_VI[row['outcome']]} "
            f"({a['in_favour']}/{a['denominator']} thành viên chấm đạt, cần {a['required']}; "
            f"điểm trung bình {a['average_total']:.1f}/100)"
        )

    # 3. The appraisal (thẩm định) of each submitted dossier against the checklist.
    reviewer = token_for("reviewer", None)
    eligible = []
    for n in nominations:
        if n["status"] != "submitted":
            continue
        appraised = api.call(
            reviewer,
            "POST",
            f"/nominations/{n['nomination_id']}/appraisal",
            json={"outcome": "eligible"},
        )
        eligible.append(appraised)
    log(
        f"\n  Thẩm định hồ sơ: {len(eligible)} hồ sơ đủ thành phần (tờ trình, báo cáo thành "
        "tích, biên bản họp xét) và đủ điều kiện"
    )

    # 4. A hold recorded after the appraisal sends one nominee back to submitted.
    held = None
    if len(eligible) > 1:
        target = eligible[-1]
        subject = (
            {"official_id": target["nominee"]["official_id"]}
            if target["kind"] == "individual"
            else {"unit_id": target["nominee"]["unit_id"]}
        )
        hold = api.call(
            admin_token,
            "POST",
            "/admin/holds",
            json={
                "subject": subject,
                "kind": "complaint",
                "reason": "Đơn khiếu nại đang được giải quyết",
                "from": _today().isoformat(),
            },
        )
        held = target["nomination_id"]
        log(
            f"  Tạm dừng xét: {hold['subject_name']} có khiếu nại đang giải quyết (Nghị định "
            f"152/2025/NĐ-CP, Điều 4): hồ sơ trở lại trạng thái chờ thẩm định "
            f"({len(hold['held_back'])} hồ sơ)"
        )
        again = requests.post(
            f"{base_url}/nominations/{held}/appraisal",
            json={"outcome": "eligible"},
            headers={"Authorization": f"Bearer {reviewer}"},
            timeout=timeout,
        )
        if again.status_code != 409 or "on_hold" not in again.text:
            raise RuntimeError(f"appraisal under a hold -> {again.status_code}: {again.text[:300]}")
        log("  thẩm định lại hồ sơ đang bị tạm dừng: bị từ chối (409 on_hold)")

    # 5. The posting of the shortlist opens today, and the public's feedback while it runs.
    posting = api.call(
        admin_token,
        "POST",
        f"/campaigns/{campaign_id}/posting",
        json={"opens_on": _today().isoformat(), "working_days": 5},
    )
    log(
        f"\n  CÔNG KHAI DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG ({posting['working_days']} ngày làm việc, "
        f"đến hết ngày {dt.date.fromisoformat(posting['last_day']):%d/%m/%Y})"
    )
    for n in posting["items"]:
        ev = n["evidence"]
        score = "—" if ev.get("score") is None else f"{ev['score']:.1f}"
        initiatives = ", ".join(i["title"] for i in n["initiatives"]) or "—"
        kind = "Tập thể" if n["kind"] == "collective" else "Cá nhân"
        log(f"  - {kind}: {n['name']} ({n['unit_name']}); điểm {score}; sáng kiến: {initiatives}")
    first = posting["items"][0]["nomination_id"]
    for text, name in (
        (
            "Đơn vị thực hiện rất tốt việc số hóa hồ sơ, người dân được giải quyết nhanh.",
            "Một người dân",
        ),
        ("Đề nghị làm rõ số liệu văn bản điện tử trong tháng 8.", ""),
    ):
        response = requests.post(
            f"{base_url}/public/campaigns/{campaign_id}/shortlist/{first}/feedback",
            json={"text": text, "name": name},
            timeout=timeout,
        )
        if response.status_code != 202:
            raise RuntimeError(f"feedback -> {response.status_code}: {response.text[:300]}")
    feedback = api.call(reviewer, "GET", f"/campaigns/{campaign_id}/feedback")["items"]
    for item in feedback:
        api.call(
            reviewer,
            "POST",
            f"/feedback/{item['feedback_id']}/resolve",
            json={"note": "Đã xác minh và trả lời người phản ánh."},
        )
    log(
        f"  {len(feedback)} phản ánh của người dân (không cần đăng nhập); đã trả lời cả {len(feedback)}"
    )
    return {"initiatives": closed, "posting": posting, "held": held}
