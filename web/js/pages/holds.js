// Holds (Administration): a unit or an official under discipline, inspection, audit or a
// pending complaint is not awarded while the hold lasts (Decree 152/2025/NĐ-CP Art. 4).
import * as api from "../api.js";
import { fmtDate, fmtDateTime } from "../format.js";
import { words } from "../public/shell.js";
import { act, errorBox, field, h, loading, select } from "../ui.js";

const KINDS = ["discipline", "inspection", "audit", "complaint"];
const t = words({
  vi: {
    title: "Tạm dừng xét khen thưởng",
    intro: "Không khen thưởng khi đối tượng đang bị xem xét kỷ luật, thanh tra, kiểm toán hoặc có khiếu nại đang giải quyết (Nghị định 152/2025/NĐ-CP, Điều 4). Ghi nhận sau khi thẩm định thì hồ sơ trở lại chờ thẩm định.",
    record: "Ghi nhận",
    subject: "Đối tượng",
    s_unit: "Đơn vị (mã đơn vị)",
    s_official: "Cá nhân (mã cán bộ)",
    subject_id: "Mã",
    kind: "Loại",
    k_discipline: "Đang bị xem xét kỷ luật",
    k_inspection: "Đang bị thanh tra",
    k_audit: "Đang bị kiểm toán",
    k_complaint: "Có khiếu nại, tố cáo đang giải quyết",
    reason: "Lý do",
    from: "Từ ngày",
    to: "Đến ngày (không bắt buộc)",
    lift: "Chấm dứt",
    active: "Đang áp dụng",
    lifted: "Đã chấm dứt lúc {at}",
    ended: "Hết hiệu lực",
    held_back: "{n} hồ sơ đã được đưa trở lại chờ thẩm định.",
    none: "Chưa có.",
  },
  en: {
    title: "Holds",
    intro: "No award while the subject is under discipline, inspection or audit, or faces a pending complaint (Decree 152/2025/NĐ-CP Art. 4). Recorded after an appraisal, it puts the nomination back to submitted.",
    record: "Record",
    subject: "Subject",
    s_unit: "Unit (unit id)",
    s_official: "Official (official id)",
    subject_id: "Id",
    kind: "Kind",
    k_discipline: "Under discipline",
    k_inspection: "Under inspection",
    k_audit: "Under audit",
    k_complaint: "Pending complaint",
    reason: "Reason",
    from: "From",
    to: "To (optional)",
    lift: "Lift",
    active: "In force",
    lifted: "Lifted at {at}",
    ended: "Not in force",
    held_back: "{n} nominations were put back to submitted.",
    none: "None yet.",
  },
});

export async function render(ctx) {
  const { root } = ctx;
  root.append(h("h1", {}, t("title")), h("p", {}, t("intro")));
  const list = h("div", {}, loading());
  const status = h("div", { role: "status" });
  const subjectKind = select("subject_kind", [["unit", t("s_unit")], ["official", t("s_official")]], "unit");
  const subjectId = h("input", { name: "subject_id", required: true, maxlength: "64" });
  const kind = select("kind", KINDS.map((k) => [k, t(`k_${k}`)]), "inspection");
  const reason = h("textarea", { name: "reason", required: true, maxlength: "2000" });
  const from = h("input", { type: "date", name: "from", required: true });
  const to = h("input", { type: "date", name: "to" });
  const button = h("button", { type: "submit" }, t("record"));
  const form = h(
    "form",
    { id: "new-hold" },
    h("div", { class: "form-row" }, field(t("subject"), subjectKind), field(t("subject_id"), subjectId), field(t("kind"), kind)),
    field(t("reason"), reason),
    h("div", { class: "form-row" }, field(t("from"), from), field(t("to"), to)),
    h("div", { class: "actions" }, button),
    status,
  );
  const draw = async () => {
    try {
      const { items } = await api.get("/admin/holds");
      list.replaceChildren(
        items.length
          ? h(
              "ul",
              { class: "holds" },
              ...items.map((x) => {
                const lift = h("button", { type: "button", class: "secondary" }, t("lift"));
                const liftStatus = h("span", { role: "status" });
                lift.addEventListener("click", () => act(lift, liftStatus, async () => { await api.request("DELETE", `/admin/holds/${x.hold_id}`); await draw(); }));
                const state = x.lifted_at ? t("lifted", { at: fmtDateTime(x.lifted_at) }) : x.active ? t("active") : t("ended");
                return h("li", {}, h("strong", {}, x.subject_name), ` (${x.subject_id}) · ${t(`k_${x.kind}`)} · ${fmtDate(x.from)}${x.to ? `–${fmtDate(x.to)}` : ""} · ${state} · `, h("span", {}, x.reason), " ", x.lifted_at ? "" : lift, liftStatus);
              }),
            )
          : h("p", {}, t("none")),
      );
    } catch (error) {
      list.replaceChildren(errorBox(error));
    }
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const subject = subjectKind.value === "unit" ? { unit_id: subjectId.value.trim() } : { official_id: subjectId.value.trim() };
    act(button, status, async () => {
      const recorded = await api.post("/admin/holds", { subject, kind: kind.value, reason: reason.value, from: from.value, ...(to.value ? { to: to.value } : {}) });
      status.replaceChildren(h("p", { class: "success" }, t("held_back", { n: recorded.held_back.length })));
      form.reset();
      await draw();
    });
  });
  root.append(form, list);
  await draw();
}
