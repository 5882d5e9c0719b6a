"""Demo of the awards council's meeting over HTTP against a running stack.

`run_council_demo` seats a council of seven (the chairman, two vice-chairs, the secretary
from the Department of Home Affairs and three members); the secretary asks for the meeting
on the posted shortlist and is refused while the posting window runs (409 posting_open);
once it has closed (`move_clock`: the local stack's clock moved past the window, as the
days would have passed) the meeting is created, attendance recorded (one member absent,
who votes in writing with a scanned ballot), the quorum checked and the secret ballot
opened; six members vote from their "phones", the secretary closes the ballot (and runs a
runoff if the count ties at a quota boundary), the documents job renders the minutes, vote
results, submission and draft decision, the four documents (PDF and DOCX) are copied to
`out_dir`, and the public page's decision is read back without a token.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import requests

from scripts.demo.nominations import _Api, minimal_pdf

MemberToken = Callable[[str], str]
MoveClock = Callable[[dt.datetime], object]
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
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


def run_council_demo(
    base_url: str,
    admin_token: str,
    campaign_id: str,
    *,
    member_token: MemberToken,
    out_dir: Path,
    move_clock: MoveClock | None = None,
    timeout: float = 120,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """`move_clock(instant)`: make the stack's clock read `instant` (the local stack's
    `move_clock`); without it the posting must have closed already."""
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
    meeting = _create_meeting(api, secretary, campaign_id, move_clock, timeout, log)
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
        log(f"  {os.path.relpath(target)}")  # out/council/… as the campaign report's
    public = requests.get(f"{base_url}/public/campaigns/{campaign_id}/decision", timeout=timeout)
    if public.status_code != 200:
        raise RuntimeError(f"public decision -> {public.status_code}: {public.text[:300]}")
    decision = public.json()
    listed = sum(len(v) for v in decision["approved"].values())
    log(
        f"\n→ Trang công khai (không cần đăng nhập) đăng kết quả ngày "
        f"{dt.date.fromisoformat(decision['decided_on']):%d/%m/%Y}: {listed} trường hợp được "
        f"đề nghị khen thưởng trên {decision['nominees_considered']} trường hợp được xét "
        "(không công bố phiếu của ai, không công bố số phiếu từng người)"
    )
    return {"meeting_id": mid, "tally": tally, "files": saved, "decision": decision}


def _create_meeting(
    api: _Api,
    secretary: str,
    campaign_id: str,
    move_clock: MoveClock | None,
    timeout: float,
    log: Callable[[str], None],
) -> dict[str, Any]:
    """The secretary asks for the meeting; while the posting runs it is refused (409
    posting_open) and, with `move_clock`, the demo moves the clock past the window's close
    and asks again."""
    response = requests.post(
        f"{api.base}/campaigns/{campaign_id}/meetings",
        headers={"Authorization": f"Bearer {secretary}"},
        timeout=timeout,
    )
    if response.status_code == 409 and '"posting_open"' in response.text and move_clock:
        closes_at = dt.datetime.fromisoformat(response.json()["error"]["details"][0]["closes_at"])
        log(
            "  Hội đồng chưa được họp khi danh sách còn đang công khai (409 posting_open, "
            f"hết hạn lúc {closes_at.astimezone(ZONE):%H:%M ngày %d/%m/%Y})"
        )
        move_clock(closes_at + dt.timedelta(minutes=1))
        log(
            "  (bản demo: đồng hồ của máy chủ local chuyển tới sau khi hết thời gian công "
            "khai, như khi các ngày làm việc đã trôi qua; không quy tắc nào được nới)"
        )
        response = requests.post(
            f"{api.base}/campaigns/{campaign_id}/meetings",
            headers={"Authorization": f"Bearer {secretary}"},
            timeout=timeout,
        )
    if response.status_code != 201:
        raise RuntimeError(f"create meeting -> {response.status_code}: {response.text[:500]}")
    return dict(response.json())


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
