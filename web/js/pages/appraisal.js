// The appraisal step of a nomination (award_procedure council): the campaign's checklist,
// what is missing, the holds in force on the nominee, and the reviewer's outcome.
import * as api from "../api.js";
import { words } from "../public/shell.js";
import { act, errorBox, field, h, inlineError, loading } from "../ui.js";

const t = words({
  vi: {
    title: "Thẩm định hồ sơ",
    checklist: "Danh mục hồ sơ",
    present: "có",
    absent: "thiếu",
    cat_to_trinh: "Tờ trình",
    cat_bao_cao_thanh_tich: "Báo cáo thành tích",
    cat_bien_ban: "Biên bản họp xét",
    cat_other: "Tài liệu khác",
    missing: "Còn thiếu: {list}. Hồ sơ chưa đủ thì không thể kết luận đủ điều kiện.",
    holds: "Đang tạm dừng xét khen thưởng",
    hold: "{kind}: {reason} (từ {from})",
    k_discipline: "Đang bị xem xét kỷ luật",
    k_inspection: "Đang bị thanh tra",
    k_audit: "Đang bị kiểm toán",
    k_complaint: "Có khiếu nại, tố cáo đang giải quyết",
    reason: "Lý do (bắt buộc khi không đủ điều kiện hoặc trả lại)",
    eligible: "Đủ điều kiện",
    not_eligible: "Không đủ điều kiện",
    return: "Trả lại để bổ sung",
    reason_required: "Hãy nhập lý do.",
  },
  en: {
    title: "Appraisal",
    checklist: "Dossier checklist",
    present: "present",
    absent: "missing",
    cat_to_trinh: "Cover submission",
    cat_bao_cao_thanh_tich: "Achievement report",
    cat_bien_ban: "Minutes of the meeting",
    cat_other: "Other",
    missing: "Missing: {list}. An incomplete dossier cannot be found eligible.",
    holds: "Award on hold",
    hold: "{kind}: {reason} (from {from})",
    k_discipline: "Under discipline",
    k_inspection: "Under inspection",
    k_audit: "Under audit",
    k_complaint: "Pending complaint",
    reason: "Reason (required for not eligible or return)",
    eligible: "Eligible",
    not_eligible: "Not eligible",
    return: "Return for completion",
    reason_required: "Please give a reason.",
  },
});

export async function appraisalStep(nomination, base, reload) {
  const section = h("section", { id: "appraisal" }, h("h2", {}, t("title")), loading());
  let state;
  try {
    state = await api.get(`${base}/appraisal`);
  } catch (error) {
    section.replaceChildren(h("h2", {}, t("title")), errorBox(error));
    return section;
  }
  const checklist = h(
    "ul",
    { class: "checklist" },
    ...state.checklist.map((c) => h("li", {}, `${c.present ? "✔" : "✘"} ${t(`cat_${c.category}`)}: ${t(c.present ? "present" : "absent")}`)),
  );
  const parts = [h("h2", {}, t("title")), h("h3", {}, t("checklist")), checklist];
  if (state.missing.length) parts.push(h("p", { class: "notice" }, t("missing", { list: state.missing.map((c) => t(`cat_${c}`)).join(", ") })));
  if (state.holds.length) {
    parts.push(
      h("div", { class: "error", role: "note" }, h("h3", {}, t("holds")), h("ul", {}, ...state.holds.map((x) => h("li", {}, t("hold", { kind: t(`k_${x.kind}`), reason: x.reason, from: x.from }))))),
    );
  }
  if (nomination.status === "submitted") {
    const reason = h("textarea", { name: "reason", maxlength: "2000" });
    const status = h("div");
    const buttons = ["eligible", "not_eligible", "return"].map((outcome) => {
      const button = h("button", { type: "button", class: outcome === "eligible" ? "" : outcome === "not_eligible" ? "danger" : "secondary", dataset: { outcome } }, t(outcome));
      button.addEventListener("click", () => {
        if (outcome !== "eligible" && !reason.value.trim()) {
          inlineError(status, t("reason_required"));
          reason.focus();
          return;
        }
        act(button, status, async () => {
          await api.post(`${base}/appraisal`, { outcome, ...(reason.value.trim() ? { reason: reason.value.trim() } : {}) });
          reload();
        });
      });
      return button;
    });
    parts.push(field(t("reason"), reason), h("div", { class: "actions", id: "appraisal-actions" }, buttons), status);
  }
  section.replaceChildren(...parts);
  return section;
}
