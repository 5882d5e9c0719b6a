"""The four documents the secretariat leaves the awards council's meeting with, built from
the frozen tally only (domain/meetings.build_tally): the minutes (biên bản họp), the vote
results (kết quả bỏ phiếu), the submission to the chairman (tờ trình) and the draft
decision with its annex lists (dự thảo quyết định). Pure: the renderers lay them out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from chalicelib.reports.administrative import (
    BLANK,
    AdministrativeDocument,
    Annex,
    Block,
    Grid,
    Para,
    Signature,
)

COUNCIL = "HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG"
SECRETARIAT = "SỞ NỘI VỤ"
ROLE_VI = {
    "chair": "Chủ tịch Hội đồng",
    "vice_chair": "Phó Chủ tịch Hội đồng",
    "member": "Ủy viên",
    "secretary": "Ủy viên, Thư ký",
}
RESULT_VI = {
    "approved": "Đề nghị khen thưởng",
    "below_threshold": "Không đạt tỷ lệ",
    "outside_quota": "Ngoài chỉ tiêu",
}
DENOMINATOR_VI = {
    "members": "tổng số thành viên Hội đồng",
    "present": "số thành viên có mặt và số phiếu bằng văn bản được tính",
    "votes_cast": "số phiếu biểu quyết",
}
KIND_VI = {"collective": "tập thể", "individual": "cá nhân"}


def _share_text(share: Any) -> str:
    text = str(share)
    if "/" in text:
        num, den = text.split("/", 1)
        return f"{int(num) * 100 / int(den):.2f}".rstrip("0").rstrip(".").replace(".", ",") + "%"
    return f"{float(text) * 100:.2f}".rstrip("0").rstrip(".").replace(".", ",") + "%"


def _percent(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value * 100:.2f}".replace(".", ",") + "%"


def _date_words(day: dt.date, *, draft: bool = False) -> str:
    if draft:
        return f"ngày{BLANK}tháng{BLANK}năm {day.year}"
    return f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


# The legal basis the submission and the draft decision cite.
LAW = "Luật Thi đua, khen thưởng số 06/2022/QH15 ngày 15 tháng 6 năm 2022"
DECREE = (
    "Nghị định số 152/2025/NĐ-CP của Chính phủ quy định chi tiết một số điều của Luật Thi "
    "đua, khen thưởng"
)


def _day(tally: Mapping[str, Any]) -> dt.date:
    return dt.date.fromisoformat(tally["local_date"])


def _document(
    tally: Mapping[str, Any],
    *,
    symbol: str,
    issuing_body: str,
    draft: bool = False,
    parent: bool = True,
    **parts: Any,
) -> AdministrativeDocument:
    """One of the four in the Decree's form: the parent body (UBND tỉnh) above the issuing
    body, the number left blank for the clerk before `symbol`, place and date (left blank
    on a draft, which the chairman dates when signing); `parts` are the rest."""
    province = tally["province_name"]
    return AdministrativeDocument(
        parent_body=f"UBND TỈNH {province.upper()}" if parent else "",
        issuing_body=issuing_body,
        number=f"Số:{BLANK}/{symbol}",
        place_date=f"{province}, {_date_words(_day(tally), draft=draft)}",
        **parts,
    )


def _council_signatures(tally: Mapping[str, Any], chair: tuple[str, ...]) -> tuple[Signature, ...]:
    """The council's documents are signed by its secretary and its chair (`chair`: the
    chair's title lines)."""
    return (
        Signature(("THƯ KÝ",), _by_role(tally, "secretary")),
        Signature(chair, _by_role(tally, "chair")),
    )


def _nominees(tally: Mapping[str, Any], kind: str) -> list[dict[str, Any]]:
    return [n for n in tally["nominees"] if n["kind"] == kind]


def _approved(tally: Mapping[str, Any], kind: str) -> list[dict[str, Any]]:
    by_id = {n["nomination_id"]: n for n in tally["nominees"]}
    return [by_id[i] for i in tally["approved"].get(kind, []) if i in by_id]


def _name_cell(n: Mapping[str, Any]) -> str:
    if n["kind"] == "individual":
        where = ", ".join(x for x in (n.get("position"), n.get("unit_name")) if x)
        return f"{n['name']} ({where})" if where else n["name"]
    return str(n["name"])


def results_grid(tally: Mapping[str, Any], kind: str) -> Grid:
    rows = []
    for i, n in enumerate(_nominees(tally, kind), start=1):
        runoff = ", ".join(str(a) for a in n.get("runoff_agree") or [])
        rows.append(
            (
                str(i),
                _name_cell(n),
                str(n["agree"]),
                str(n["disagree"]),
                _percent(n["share"]),
                runoff or "-",
                RESULT_VI[n["result"]],
            )
        )
    return Grid(
        columns=(
            "TT",
            f"Tên {KIND_VI[kind]}",
            "Đồng ý",
            "Không đồng ý",
            "Tỷ lệ đồng ý",
            "Bỏ phiếu lại (đồng ý)",
            "Kết quả",
        ),
        rows=tuple(rows),
        widths=(0.6, 4.2, 1.1, 1.3, 1.4, 1.6, 1.8),
    )


def list_grid(tally: Mapping[str, Any], kind: str) -> Grid:
    rows: list[tuple[str, ...]] = []
    for i, n in enumerate(_approved(tally, kind), start=1):
        if kind == "individual":
            rows.append((str(i), n["name"], n.get("position") or "", n.get("unit_name") or ""))
        else:
            rows.append((str(i), n["name"]))
    if kind == "individual":
        return Grid(("TT", "Họ và tên", "Chức vụ", "Đơn vị"), tuple(rows), (0.6, 3.0, 3.0, 3.4))
    return Grid(("TT", "Tên tập thể"), tuple(rows), (0.6, 9.4))


def _rule_sentence(tally: Mapping[str, Any]) -> str:
    rule = tally["rule"]
    how = "bỏ phiếu kín" if rule.get("secret", True) else "biểu quyết công khai"
    written = (
        "phiếu bằng văn bản của thành viên vắng mặt được tính"
        if rule.get("written_votes_count", True)
        else "phiếu bằng văn bản của thành viên vắng mặt không được tính"
    )
    return (
        f"Hình thức biểu quyết: {how}. Tập thể, cá nhân được đề nghị khen thưởng khi có số "
        f"phiếu đồng ý đạt từ {_share_text(rule.get('share', '0.7'))} trở lên so với "
        f"{DENOMINATOR_VI[rule.get('denominator', 'members')]}; {written}. Chỉ tiêu: tối đa "
        f"{tally['quotas'].get('collective', 0)} tập thể và "
        f"{tally['quotas'].get('individual', 0)} cá nhân, xếp theo tỷ lệ đồng ý rồi thứ hạng KPI."
    )


def _attendance(tally: Mapping[str, Any]) -> list[Block]:
    present = [m for m in tally["members"] if m["present"]]
    absent = [m for m in tally["members"] if not m["present"]]
    blocks: list[Block] = [
        Para(
            f"Tổng số thành viên Hội đồng: {tally['members_total']}; có mặt: "
            f"{tally['present_total']}; vắng mặt: {len(absent)}. Số thành viên tối thiểu phải "
            f"có mặt theo quy chế: {tally['quorum_required']}. Cuộc họp đủ điều kiện tiến hành."
        ),
        Para("Thành viên có mặt:", bold=True),
        Grid(
            ("TT", "Họ và tên", "Chức vụ", "Nhiệm vụ trong Hội đồng"),
            tuple(
                (str(i), m["full_name"], m["position"], ROLE_VI.get(m["council_role"], ""))
                for i, m in enumerate(present, start=1)
            ),
            (0.6, 3.0, 3.6, 2.8),
        ),
    ]
    if absent:
        blocks.append(Para("Thành viên vắng mặt:", bold=True))
        blocks.append(
            Grid(
                ("TT", "Họ và tên", "Chức vụ", "Phiếu bằng văn bản"),
                tuple(
                    (
                        str(i),
                        m["full_name"],
                        m["position"],
                        ("Có, được tính" if m["written_vote_counted"] else "Có, không tính")
                        if m["written_vote"]
                        else "Không",
                    )
                    for i, m in enumerate(absent, start=1)
                ),
                (0.6, 3.0, 3.6, 2.8),
            )
        )
    return blocks


def _round_sentences(tally: Mapping[str, Any]) -> list[Block]:
    rounds = tally["rounds"]
    blocks: list[Block] = []
    if rounds:
        first = rounds[0]
        blocks.append(
            Para(
                f"Số phiếu phát ra và thu về tại cuộc họp: {first['ballots']}; số phiếu bằng văn "
                f"bản của thành viên vắng mặt: {first['written_votes']}."
            )
        )
    for r in rounds[1:]:
        seats = ", ".join(f"{v} {KIND_VI.get(k, k)}" for k, v in sorted((r["seats"] or {}).items()))
        blocks.append(
            Para(
                f"Do có {len(r['nominees'])} trường hợp bằng phiếu tại giới hạn chỉ tiêu, Hội "
                f"đồng bỏ phiếu lại (lần {r['number'] - 1}) cho {seats} còn lại; số phiếu thu "
                f"về: {r['ballots']}."
            )
        )
    return blocks


def _conclusion(tally: Mapping[str, Any]) -> list[Block]:
    blocks: list[Block] = []
    for kind in ("collective", "individual"):
        names = [_name_cell(n) for n in _approved(tally, kind)]
        text = "; ".join(names) if names else "không có"
        blocks.append(Para(f"Đề nghị tặng Bằng khen cho {len(names)} {KIND_VI[kind]}: {text}."))
    return blocks


def minutes(tally: Mapping[str, Any]) -> AdministrativeDocument:
    day = _day(tally)
    blocks: list[Block] = [
        Para(
            f"Hôm nay, {_date_words(day)}, Hội đồng Thi đua - Khen thưởng tỉnh {tally['province_name']} "
            f"họp xét đề nghị khen thưởng trong phong trào thi đua «{tally['campaign_name']}»."
        ),
        Para("I. THÀNH PHẦN", bold=True, indent=False),
        *_attendance(tally),
        Para("II. NỘI DUNG", bold=True, indent=False),
        Para(_rule_sentence(tally)),
        *_round_sentences(tally),
        Para("Kết quả biểu quyết đối với tập thể:", bold=True),
        results_grid(tally, "collective"),
        Para("Kết quả biểu quyết đối với cá nhân:", bold=True),
        results_grid(tally, "individual"),
        Para("III. KẾT LUẬN", bold=True, indent=False),
        *_conclusion(tally),
        Para(
            "Biên bản được lập từ kết quả kiểm phiếu đã chốt (mã kiểm tra SHA-256 ghi trong nhật "
            "ký), được các thành viên có mặt thông qua."
        ),
    ]
    return _document(
        tally,
        symbol="BB-HĐTĐKT",
        issuing_body=COUNCIL,
        kind="minutes",
        filename="bien-ban-hop-hoi-dong",
        title="BIÊN BẢN",
        subtitle=("Họp Hội đồng Thi đua - Khen thưởng",),
        blocks=tuple(blocks),
        signatures=_council_signatures(tally, ("CHỦ TỌA",)),
    )


def _by_role(tally: Mapping[str, Any], role: str) -> str:
    return next((m["full_name"] for m in tally["members"] if m["council_role"] == role), "")


def vote_results(tally: Mapping[str, Any]) -> AdministrativeDocument:
    blocks: list[Block] = [
        Para(_rule_sentence(tally)),
        *_round_sentences(tally),
        Para("1. Tập thể", bold=True, indent=False),
        results_grid(tally, "collective"),
        Para("2. Cá nhân", bold=True, indent=False),
        results_grid(tally, "individual"),
    ]
    return _document(
        tally,
        symbol="KQ-HĐTĐKT",
        issuing_body=COUNCIL,
        kind="vote_results",
        filename="ket-qua-bo-phieu",
        title="KẾT QUẢ BỎ PHIẾU",
        subtitle=(f"Xét khen thưởng phong trào thi đua «{tally['campaign_name']}»",),
        blocks=tuple(blocks),
        signatures=_council_signatures(tally, ("TM. HỘI ĐỒNG", "CHỦ TỊCH")),
    )


def submission(tally: Mapping[str, Any]) -> AdministrativeDocument:
    day = _day(tally)
    collectives = _approved(tally, "collective")
    individuals = _approved(tally, "individual")
    blocks: list[Block] = [
        Para(f"Kính gửi: Chủ tịch Ủy ban nhân dân tỉnh {tally['province_name']}.", align="center"),
        Para(
            f"Căn cứ {LAW}; {DECREE}; căn cứ kết quả họp Hội đồng Thi đua - Khen thưởng tỉnh "
            f"{_date_words(day)};"
        ),
        Para(
            f"Sở Nội vụ (cơ quan thường trực Hội đồng) kính trình Chủ tịch Ủy ban nhân dân tỉnh "
            f"xem xét, tặng Bằng khen cho {len(collectives)} tập thể và {len(individuals)} cá "
            f"nhân đã có thành tích xuất sắc trong phong trào thi đua «{tally['campaign_name']}» "
            f"(có danh sách kèm theo)."
        ),
        Para(_rule_sentence(tally)),
        Para("Danh sách tập thể:", bold=True),
        list_grid(tally, "collective"),
        Para("Danh sách cá nhân:", bold=True),
        list_grid(tally, "individual"),
        Para("Sở Nội vụ kính trình Chủ tịch Ủy ban nhân dân tỉnh xem xét, quyết định./."),
    ]
    return _document(
        tally,
        symbol="TTr-SNV",
        issuing_body=SECRETARIAT,
        kind="submission",
        filename="to-trinh",
        title="TỜ TRÌNH",
        subtitle=(
            f"Về việc đề nghị tặng Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh trong phong trào "
            f"thi đua «{tally['campaign_name']}»",
        ),
        blocks=tuple(blocks),
        recipients=("- Như trên;", "- Thành viên Hội đồng TĐKT tỉnh;", "- Lưu: VT, TĐKT."),
        signatures=(Signature(("GIÁM ĐỐC",), ""),),
    )


def draft_decision(tally: Mapping[str, Any]) -> AdministrativeDocument:
    day = _day(tally)
    collectives = _approved(tally, "collective")
    individuals = _approved(tally, "individual")
    province = tally["province_name"]
    blocks: list[Block] = [
        Para(f"CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH {province.upper()}", bold=True, align="center"),
        Para(
            "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;",
            italic=True,
        ),
        Para(f"Căn cứ {LAW};", italic=True),
        Para(f"Căn cứ {DECREE};", italic=True),
        Para(
            f"Xét đề nghị của Giám đốc Sở Nội vụ tại Tờ trình số{BLANK}/TTr-SNV "
            f"{_date_words(day)}.",
            italic=True,
        ),
        Para("QUYẾT ĐỊNH:", bold=True, align="center"),
        Para(
            f"Điều 1. Tặng Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh cho {len(collectives)} "
            f"tập thể và {len(individuals)} cá nhân đã có thành tích xuất sắc trong phong trào "
            f"thi đua «{tally['campaign_name']}» (có danh sách kèm theo)."
        ),
        Para("Điều 2. Quyết định này có hiệu lực kể từ ngày ký."),
        Para(
            "Điều 3. Chánh Văn phòng Ủy ban nhân dân tỉnh, Giám đốc Sở Nội vụ, thủ trưởng các cơ "
            "quan, đơn vị liên quan và các tập thể, cá nhân có tên tại Điều 1 chịu trách nhiệm "
            "thi hành Quyết định này./."
        ),
    ]
    reference = f"(Kèm theo Quyết định số{BLANK}/QĐ-UBND {_date_words(day, draft=True)} của Chủ tịch UBND tỉnh)"
    annexes = (
        Annex(
            ("DANH SÁCH TẬP THỂ ĐƯỢC TẶNG BẰNG KHEN", reference),
            (list_grid(tally, "collective"),),
        ),
        Annex(
            ("DANH SÁCH CÁ NHÂN ĐƯỢC TẶNG BẰNG KHEN", reference),
            (list_grid(tally, "individual"),),
        ),
    )
    return _document(
        tally,
        symbol="QĐ-UBND",
        issuing_body=f"ỦY BAN NHÂN DÂN TỈNH {province.upper()}",
        draft=True,
        parent=False,
        kind="draft_decision",
        filename="du-thao-quyet-dinh",
        title="QUYẾT ĐỊNH",
        subtitle=(
            f"Về việc tặng Bằng khen cho các tập thể và cá nhân có thành tích xuất sắc trong "
            f"phong trào thi đua «{tally['campaign_name']}»",
        ),
        blocks=tuple(blocks),
        recipients=(
            "- Như Điều 3;",
            "- Chủ tịch, các Phó Chủ tịch UBND tỉnh;",
            "- Sở Nội vụ;",
            "- Lưu: VT.",
        ),
        signatures=(Signature(("CHỦ TỊCH",), ""),),
        annexes=annexes,
        draft_mark="DỰ THẢO",
    )


def all_documents(tally: Mapping[str, Any]) -> list[AdministrativeDocument]:
    return [minutes(tally), vote_results(tally), submission(tally), draft_decision(tally)]
