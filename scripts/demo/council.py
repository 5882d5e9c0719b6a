"""Demo of the awards council's meeting over HTTP against a running stack.

`run_council_demo` seats a council of seven (the chairman, two vice-chairs, the secretary
from the Department of Home Affairs and three members), has the secretary open the meeting
on the posted shortlist, record attendance (one member absent, who votes in writing with a
scanned ballot), check the quorum and open the secret ballot; six members vote from their
"phones", the secretary closes the ballot (and runs a runoff if the count ties at a quota
boundary), the documents job renders the minutes, vote results, submission and draft
decision, and the four documents (PDF and DOCX) are copied to `out_dir`.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from scripts.demo.nominations import _Api, minimal_pdf

MemberToken = Callable[[str], str]
MEMBERS = [
    ("demo-hd-chu-tich", "Nguyễn Văn Thành", "Chủ tịch UBND tỉnh", "chair"),
    ("demo-hd-pho-1", "Trần Thị Hòa", "Phó Chủ tịch UBND tỉnh", "vice_chair"),
    ("demo-hd-pho-2", "Lê Quang Minh", "Giám đốc Sở Nội vụ", "vice_chair"),
    ("demo-hd-thu-ky", "Phạm Thị Lan", "Trưởng ban Thi đua - Khen thưởng, Sở Nội vụ", "secretary"),
    ("demo-hd-uv-1", "Hoàng Văn Nam", "Giám đốc Sở Khoa học và Công nghệ", "member"),
    ("demo-hd-uv-2", "Võ Thị Hạnh", "Chủ tịch Liên đoàn Lao động tỉnh", "member"),
    ("demo-hd-uv-3", "Đặng Minh Tuấn", "Chánh Văn phòng UBND tỉnh", "member"),
]
ABSENT = "demo-hd-uv-3"
SECRETARY = "demo-hd-thu-ky"
KIND_VI = {"collective": "tập thể", "individual": "cá nhân"}
RESULT_VI = {
    "approved": "đề nghị khen thưởng",
    "below_threshold": "không đạt tỷ lệ",
    "outside_quota": "ngoài chỉ tiêu",
}


def _choices(nominees: list[str], voter: int) -> dict[str, str]:
    """Each member's ballot: mostly agree; the last nominee divides the council."""
    out = dict.fromkeys(nominees, "agree")
    if nominees and voter % 2 == 1:
        out[nominees[-1]] = "disagree"
    if len(nominees) > 2 and voter == 4:
        out[nominees[-2]] = "disagree"
    return out


def council_campaign(
    base_url: str,
    admin_token: str,
    campaign_id: str,
    *,
    token_for: Callable[[str, str | None], str],
    timeout: float = 120,
    log: Callable[[str], None] = print,
) -> str:
    """When the demo campaign is decided by review, the council sits on a copy of it decided
    by the council (campaign data: `award_procedure`, quotas, dossier requirements): the best
    candidates are nominated there (the nominations demo, no approvals), appraised eligible
    by a reviewer, and that is the shortlist. Returns the copy's id."""
    from scripts.demo.nominations import run_nominations_demo

    api = _Api(base_url, timeout)
    source = api.call(admin_token, "GET", f"/campaigns/{campaign_id}")
    copy_id = f"{campaign_id}-hd"
    fields = {k: v for k, v in source.items() if k not in ("public",)}
    required = ["to_trinh", "bao_cao_thanh_tich"]
    api.call(
        admin_token,
        "POST",
        "/admin/campaigns",
        json={
            **fields,
            "campaign_id": copy_id,
            "name": f"{source['name']} – xét khen thưởng qua Hội đồng",
            "award_procedure": "council",
            "award_quotas": {"collective": 3, "individual": 2},
            "dossier_requirements": {"collective": required, "individual": required},
        },
    )
    rows = run_nominations_demo(
        base_url,
        admin_token,
        copy_id,
        token_for=token_for,
        collectives=4,
        individuals=3,
        approve=0,
        log=lambda _line: None,
    )
    reviewer = token_for("reviewer", None)
    for row in rows:
        api.call(
            reviewer,
            "POST",
            f"/nominations/{row['nomination_id']}/appraisal",
            json={"outcome": "eligible"},
        )
    # The shortlist was posted for public comment (5 working days) and the window has closed.
    opens_on = (dt.date.today() - dt.timedelta(days=21)).isoformat()
    api.call(admin_token, "POST", f"/campaigns/{copy_id}/posting", json={"opens_on": opens_on})
    log(
        f"  phong trào {copy_id}: {len(rows)} hồ sơ nộp, thẩm định đủ điều kiện, công khai từ "
        f"{opens_on} (5 ngày làm việc, đã kết thúc); chỉ tiêu 3 tập thể, 2 cá nhân"
    )
    return copy_id


def run_council_demo(
    base_url: str,
    admin_token: str,
    campaign_id: str,
    *,
    member_token: MemberToken,
    out_dir: Path,
    timeout: float = 120,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    api = _Api(base_url, timeout)
    api.call(
        admin_token,
        "PUT",
        f"/campaigns/{campaign_id}/councils/awards",
        json={
            "members": [
                {"sub": s, "full_name": n, "position": p, "council_role": r}
                for s, n, p, r in MEMBERS
            ],
            "rule": {"share": 0.7, "denominator": "members", "secret": True},
        },
    )
    log("→ Hội đồng Thi đua - Khen thưởng: 7 thành viên; đạt khi ≥ 70% tổng số thành viên đồng ý")
    secretary = member_token(SECRETARY)
    meeting = api.call(secretary, "POST", f"/campaigns/{campaign_id}/meetings")
    mid = meeting["meeting_id"]
    path = f"/meetings/{mid}"
    nominees = meeting["ballot_nominees"]
    log(f"  cuộc họp {mid}: {len(nominees)} trường hợp trong danh sách đã công khai")
    present = [s for s, *_ in MEMBERS if s != ABSENT]
    api.call(secretary, "PUT", f"{path}/attendance", json={"present": present})
    scan = minimal_pdf(["PHIEU BIEU QUYET (bang van ban)", "Dang Minh Tuan"])
    api.call(
        secretary,
        "POST",
        f"{path}/written-votes",
        json={
            "member_sub": ABSENT,
            "choices": _choices(nominees, 6),
            "file": {
                "filename": "Phiếu biểu quyết - Đặng Minh Tuấn.pdf",
                "content_type": "application/pdf",
                "data": base64.b64encode(scan).decode(),
            },
        },
    )
    log("  điểm danh: 6/7 có mặt; 1 phiếu bằng văn bản (kèm bản quét) của thành viên vắng mặt")
    opened = api.call(secretary, "POST", f"{path}/open")
    log(f"  đủ số lượng (tối thiểu {opened['quorum_required']}): mở bỏ phiếu kín")
    for i, sub in enumerate(present):
        api.call(
            member_token(sub), "POST", f"{path}/ballots", json={"choices": _choices(nominees, i)}
        )
    state = api.call(secretary, "POST", f"{path}/close")
    while state["status"] == "runoff_required":
        for runoff in state["runoffs"]:
            log(
                f"  bằng phiếu tại giới hạn chỉ tiêu ({KIND_VI[runoff['kind']]}, còn "
                f"{runoff['seats']} suất): bỏ phiếu lại giữa {len(runoff['nominees'])} trường hợp"
            )
        state = api.call(secretary, "POST", f"{path}/runoff")
        tied = state["ballot_nominees"]
        seats = state["seats"]
        kind_of = {n["nomination_id"]: n["kind"] for n in state["shortlist"]}
        for i, sub in enumerate(present):
            ballot = {}
            for kind, seats_left in seats.items():
                of_kind = [nid for nid in tied if kind_of[nid] == kind]
                # four members back the first nominees of the tie, two the last ones
                backed = of_kind[:seats_left] if i < 4 else of_kind[-seats_left:]
                ballot.update({nid: "agree" if nid in backed else "disagree" for nid in of_kind})
            api.call(member_token(sub), "POST", f"{path}/ballots", json={"choices": ballot})
        state = api.call(secretary, "POST", f"{path}/close")
    tally = state["tally"]
    print_tally(tally)
    api.call(admin_token, "POST", "/admin/jobs/meeting_documents")
    docs = api.call(secretary, "GET", f"{path}/documents")
    out_dir.mkdir(parents=True, exist_ok=True)
    saved = []
    for d in docs["items"]:
        data = requests.get(d["url"], timeout=timeout).content
        target = out_dir / d["name"]
        target.write_bytes(data)
        saved.append(target)
    log(f"\n→ Văn bản (Nghị định 30/2020), mã kiểm phiếu SHA-256 {state['tally_sha256'][:16]}…")
    for target in saved:
        log(f"  {target}")
    return {"meeting_id": mid, "tally": tally, "files": saved}


def print_tally(tally: dict[str, Any]) -> None:
    print(f"\nKẾT QUẢ KIỂM PHIẾU (mẫu số: {tally['members_total']} thành viên Hội đồng)")
    print(
        f"{'Loại':<8}  {'Đồng ý':>6}  {'Không':>5}  {'Tỷ lệ':>7}  {'Lại':>4}  Kết quả / Đối tượng"
    )
    for n in tally["nominees"]:
        share = "—" if n["share"] is None else f"{n['share'] * 100:.1f}%"
        runoff = ",".join(str(a) for a in n["runoff_agree"]) or "—"
        print(
            f"{KIND_VI[n['kind']]:<8}  {n['agree']:>6}  {n['disagree']:>5}  {share:>7}  "
            f"{runoff:>4}  {RESULT_VI[n['result']]}: {n['name']}"
        )
    by_id = {n["nomination_id"]: n for n in tally["nominees"]}
    for kind in ("collective", "individual"):
        approved = tally["approved"].get(kind, [])
        print(f"\nDANH SÁCH {KIND_VI[kind].upper()} ĐỀ NGHỊ TẶNG BẰNG KHEN ({len(approved)})")
        for i, nid in enumerate(approved, start=1):
            n = by_id[nid]
            where = f" – {n['position']}, {n['unit_name']}" if kind == "individual" else ""
            print(f"  {i}. {n['name']}{where}")
