"""Demo of award nominations over HTTP against a running stack.

`run_nominations_demo` picks the best-ranked units and officials (the candidates
route), creates their nominations as the nominating units' officers, uploads real
small PDF files through the presigned POSTs, has them verified (the
`verify_uploads` job: chalice local runs no S3 triggers), submits them and
approves some as a reviewer. It returns one row per nomination to print.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import requests

from chalicelib.services.report_content.columns import NOMINATION_STATUS, in_language

PDF = "application/pdf"
TokenFor = Callable[[str, str | None], str]


def minimal_pdf(lines: list[str]) -> bytes:
    """A small, valid one-page PDF (PDF 1.4, Helvetica) showing `lines`.

    Helvetica has no Vietnamese glyphs, so the text is shown without diacritics."""

    def ascii_text(text: str) -> str:
        plain = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
        plain = plain.encode("ascii", "ignore").decode("ascii")
        return plain.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    text = ["BT", "/F1 12 Tf", "14 TL", "56 780 Td"]
    for line in lines:
        text += [f"({ascii_text(line)}) Tj", "T*"]
    text.append("ET")
    stream = "\n".join(text).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n".encode()
    out += b"0000000000 65535 f \n"
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)


class _Api:
    def __init__(self, base_url: str, timeout: float) -> None:
        self.base = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()

    def call(self, token: str, method: str, path: str, **kwargs: Any) -> Any:
        response = self.session.request(
            method,
            self.base + path,
            headers={"Authorization": f"Bearer {token}"},
            timeout=self.timeout,
            **kwargs,
        )
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path} -> {response.status_code}: {response.text[:500]}")
        return response.json() if response.content else None


def _upload(ticket: dict[str, Any], filename: str, data: bytes, timeout: float) -> None:
    post = ticket["upload"]
    response = requests.post(
        post["url"],
        data=post["fields"],
        files={"file": (filename, data, post["fields"]["Content-Type"])},
        timeout=timeout,
    )
    if response.status_code not in (200, 201, 204):
        raise RuntimeError(f"upload of {filename} -> {response.status_code}: {response.text[:300]}")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


# The verify_uploads job's outcomes per file (services/nominations/files.py), for people.
FILE_OUTCOMES_VI = {
    "verified": "đã xác minh",
    "rejected": "bị từ chối",
    "expired": "hết hạn tải lên",
    "waiting": "đang chờ tải lên",
    "raced": "đã được xử lý ở lượt chạy khác",
}

DOSSIER_FILES = {
    "to_trinh": ("TO TRINH de nghi tang Bang khen", "Tờ trình đề nghị khen thưởng.pdf"),
    "bao_cao_thanh_tich": ("BAO CAO thanh tich", "Báo cáo thành tích.pdf"),
    "bien_ban": ("BIEN BAN hop xet khen thuong", "Biên bản họp xét khen thưởng.pdf"),
}


def _dossier(campaign: dict[str, Any], kind: str) -> list[tuple[str, str, str]]:
    """The files a dossier carries: the tờ trình and báo cáo thành tích always, and under
    the council's procedure whatever else the campaign's checklist requires of the kind
    (by default the biên bản họp xét, Law on Emulation and Commendation 2022, Art. 84)."""
    categories = ["to_trinh", "bao_cao_thanh_tich"]
    if campaign.get("award_procedure") == "council":
        required = (campaign.get("dossier_requirements") or {}).get(kind) or []
        categories += [c for c in required if c in DOSSIER_FILES and c not in categories]
    return [(c, *DOSSIER_FILES[c]) for c in categories]


def _reopen_if_closed(
    api: _Api, admin_token: str, campaign: dict[str, Any], log: Callable[[str], None]
) -> None:
    """The demo campaign's real deadline (20/8/2025) is past: move it so the demo
    can submit. Deadlines are campaign data, so this is a campaign update."""
    deadline = campaign.get("nomination_deadline")
    today = dt.datetime.now(ZoneInfo(campaign.get("timezone") or "Asia/Ho_Chi_Minh")).date()
    if deadline is None or dt.date.fromisoformat(deadline) >= today:
        return
    moved = (today + dt.timedelta(days=7)).isoformat()
    api.call(
        admin_token, "POST", "/admin/campaigns", json={**campaign, "nomination_deadline": moved}
    )
    log(f"  (hạn nộp hồ sơ {deadline} đã qua: bản demo dời hạn sang {moved})")


def run_nominations_demo(
    base_url: str,
    admin_token: str,
    campaign_id: str = "kh-2025",
    *,
    token_for: TokenFor | None = None,
    collectives: int = 3,
    individuals: int = 2,
    approve: int = 2,
    timeout: float = 120,
    log: Callable[[str], None] = print,
) -> list[dict[str, Any]]:
    """Nominate the best candidates, upload their dossiers, submit, approve some.

    `token_for(role, unit_id)` mints tokens so that unit officers nominate and a
    reviewer reviews; without it the province admin does everything. Returns a
    row per nomination: who, which unit, status, the nominee's rank and evidence."""
    api = _Api(base_url, timeout)
    officer = (lambda unit: token_for("unit_officer", unit)) if token_for else None
    reviewer = token_for("reviewer", None) if token_for else admin_token
    campaign = api.call(admin_token, "GET", f"/campaigns/{campaign_id}")
    _reopen_if_closed(api, admin_token, campaign, log)

    picked: list[tuple[str, dict[str, Any]]] = []
    for kind, count in (("collective", collectives), ("individual", individuals)):
        if count <= 0:
            continue
        found = api.call(
            admin_token,
            "GET",
            f"/campaigns/{campaign_id}/candidates",
            params={"kind": kind, "limit": count},
        )
        picked += [(kind, c) for c in found["items"]]
    log(f"→ Đề nghị khen thưởng: {len(picked)} hồ sơ (các ứng viên xếp hạng cao nhất)")

    created: list[dict[str, Any]] = []
    uploaded = 0
    for kind, candidate in picked:
        unit_id = candidate["unit_id"]
        token = officer(unit_id) if officer else admin_token
        if kind == "collective":
            body = {
                "kind": kind,
                "nominee_unit_id": unit_id,
                "summary": (
                    f"{candidate['name']} xử lý {_pct(candidate['online_rate'])} văn bản trên "
                    f"môi trường mạng, ký số {_pct(candidate['signing_rate'])}, điểm "
                    f"{candidate['score']:.1f} trong phong trào “Ngày không in giấy”."
                ),
                "creativity": "Số hóa toàn bộ quy trình trình ký; họp không giấy hằng tuần.",
            }
        else:
            body = {
                "kind": kind,
                "nominee_official_id": candidate["official_id"],
                "summary": (
                    f"Đồng chí {candidate['full_name']} ({candidate['position']}) xử lý "
                    f"{candidate['processed_total']} văn bản, {_pct(candidate['online_rate'])} "
                    f"trên môi trường mạng, {candidate['digital_signatures']} chữ ký số."
                ),
                "creativity": "Đề xuất mẫu phiếu trình điện tử dùng chung cho đơn vị.",
            }
        nomination = api.call(token, "POST", f"/campaigns/{campaign_id}/nominations", json=body)
        name = nomination["nominee"]["name"]
        for category, title, filename in _dossier(campaign, kind):
            data = minimal_pdf([title, name, nomination["summary"][:90], campaign["name"][:90]])
            ticket = api.call(
                token,
                "POST",
                f"/nominations/{nomination['nomination_id']}/files",
                json={
                    "filename": filename,
                    "content_type": PDF,
                    "size": len(data),
                    "category": category,
                },
            )
            _upload(ticket, filename, data, timeout)
            uploaded += 1
        created.append({"token": token, **nomination})
    log(f"  đã tải lên {uploaded} tệp PDF qua presigned POST")

    result = api.call(admin_token, "POST", "/admin/jobs/verify_uploads")["result"]
    said = ", ".join(
        f"{count} tệp {FILE_OUTCOMES_VI.get(outcome, outcome)}"
        for outcome, count in result.items()
        if outcome != "done"
    )
    log(f"→ Kiểm tra tệp (verify_uploads): {said or 'không có tệp nào chờ kiểm tra'}")

    # A reviewer's positive step is the campaign's procedure's: an approval under review,
    # an appraisal "eligible" (thẩm định đủ điều kiện) under the council's, which decides.
    council = campaign.get("award_procedure") == "council"
    approved = {"collective": 0, "individual": 0}
    for nomination in created:
        nomination_id = nomination["nomination_id"]
        api.call(nomination["token"], "POST", f"/nominations/{nomination_id}/submit")
        if approved[nomination["kind"]] < approve:
            if council:
                api.call(
                    reviewer,
                    "POST",
                    f"/nominations/{nomination_id}/appraisal",
                    json={"outcome": "eligible"},
                )
            else:
                api.call(
                    reviewer,
                    "POST",
                    f"/nominations/{nomination_id}/review",
                    json={"decision": "approve", "reason": "Đạt tiêu chí, đủ hồ sơ."},
                )
            approved[nomination["kind"]] += 1
    step = "thẩm định đủ điều kiện" if council else "phê duyệt"
    log(f"→ Đã nộp {len(created)} hồ sơ; {step} {sum(approved.values())}")

    rows = []
    for nomination in created:
        nomination_id = nomination["nomination_id"]
        current = api.call(admin_token, "GET", f"/nominations/{nomination_id}")
        files = api.call(admin_token, "GET", f"/nominations/{nomination_id}/files")["items"]
        evidence = current["evidence"] or {}
        metrics = evidence.get("metrics", evidence)
        rank = current["nominee_rank"] or {}
        rows.append(
            {
                "nomination_id": nomination_id,
                "kind": current["kind"],
                "nominee": current["nominee"]["name"],
                "unit_id": current["unit_id"],
                "status": current["status"],
                "rank": rank.get("rank"),
                "of": rank.get("of"),
                "score": evidence.get("score"),
                "online_rate": metrics.get("online_rate"),
                "processed_total": metrics.get("processed_total"),
                "evidence_as_of": evidence.get("as_of"),
                "verified_files": sum(1 for f in files if f["status"] == "verified"),
            }
        )
    return rows


def print_rows(rows: list[dict[str, Any]]) -> None:
    """The nominations as a table (for `make demo`)."""
    print("\nHỒ SƠ ĐỀ NGHỊ KHEN THƯỞNG")
    print(
        f"{'Loại':<10}  {'Hạng':>6}  {'Trạng thái':<18}  {'Xử lý':>7}  {'Điểm':>6}  Tệp  Đối tượng"
    )
    for row in rows:
        rank = f"{row['rank']}/{row['of']}" if row["rank"] else "—"
        score = "—" if row["score"] is None else f"{row['score']:.1f}"
        status = in_language(NOMINATION_STATUS.get(row["status"], (row["status"],) * 2), "vi")
        print(
            f"{'tập thể' if row['kind'] == 'collective' else 'cá nhân':<10}  {rank:>6}  "
            f"{status:<18}  {_pct(row['online_rate']):>7}  {score:>6}  "
            f"{row['verified_files']:>3}  {row['nominee']}"
        )
