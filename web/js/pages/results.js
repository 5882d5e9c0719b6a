// Results reports up the chain: a unit writes and submits its report (figures frozen by the
// service); a parent (or the province) tracks its children and returns a report with a reason.
import * as api from "../api.js";
import { fmtDateTime, fmtNumber } from "../format.js";
import { t } from "../i18n.js";
import { announce, errorBox, field, h, loading, table } from "../ui.js";

const SECTIONS = ["done", "initiatives", "difficulties", "proposals"];
const PROVINCE_WIDE = new Set(["province_admin", "reviewer", "viewer"]);

function daysLeft(row) {
  if (row.days_left == null) return "—";
  if (row.days_left < 0) return t("rr_overdue", { n: -row.days_left });
  return row.days_left === 0 ? t("rr_due_today") : t("rr_days_left", { n: row.days_left });
}

async function ownReport(ctx, section) {
  const { session, campaign } = ctx;
  const cid = encodeURIComponent(campaign.campaign_id);
  section.replaceChildren(h("h2", {}, t("rr_own")), loading());
  let report = null;
  try {
    report = await api.get(`/units/${encodeURIComponent(session.unitId)}/results-reports/${cid}`);
  } catch (error) {
    if (error.status !== 404) {
      section.replaceChildren(h("h2", {}, t("rr_own")), errorBox(error));
      return;
    }
  }
  const inputs = Object.fromEntries(
    SECTIONS.map((k) => [k, h("textarea", { name: k, rows: "4", maxlength: "8000" }, report ? report.sections[k] : "")]),
  );
  const status = report
    ? h("p", { class: "muted", "data-status": report.status }, `${t("status")}: ${t(`rr_status_${report.status}`)}${report.late ? ` (${t("rr_late")})` : ""} · ${t("rr_deadline")}: ${report.deadline || "—"} · ${daysLeft(report)}`)
    : h("p", { class: "muted" }, t("rr_none_yet"));
  const reason = report && report.return_reason && report.status === "draft"
    ? h("div", { class: "error", role: "alert" }, h("p", {}, `${t("rr_returned")}: ${report.return_reason}`))
    : null;
  const editable = !report || report.status === "draft";
  const save = h("button", { type: "submit" }, report ? t("save") : t("rr_create"));
  const submit = h("button", { type: "button", hidden: !report || report.status !== "draft" }, t("rr_submit"));
  const out = h("div", { role: "status" });
  const form = h(
    "form",
    { class: "results-form" },
    ...SECTIONS.map((k) => field(t(`rr_${k}`), inputs[k])),
    editable ? h("div", { class: "actions" }, save, submit) : null,
    out,
  );
  for (const k of SECTIONS) inputs[k].disabled = !editable;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const sections = Object.fromEntries(SECTIONS.map((k) => [k, inputs[k].value]));
    try {
      if (report) await api.request("PATCH", `/results-reports/${report.results_report_id}`, { body: { sections } });
      else await api.post(`/campaigns/${cid}/results-reports`, { unit_id: session.unitId, sections });
      announce(t("saved"));
      await ownReport(ctx, section);
    } catch (error) {
      out.replaceChildren(errorBox(error));
    }
  });
  submit.addEventListener("click", async () => {
    try {
      await api.post(`/results-reports/${report.results_report_id}/submit`);
      announce(t("rr_submitted"));
      await ownReport(ctx, section);
    } catch (error) {
      out.replaceChildren(errorBox(error));
    }
  });
  const figures = report && report.figures
    ? h("p", { class: "figures" }, `${t("rr_frozen")}: ${t("score")} ${fmtNumber(report.figures.score)} · ${t("as_of")}: ${report.figures.as_of ? fmtDateTime(report.figures.as_of) : "—"}`)
    : null;
  section.replaceChildren(...[h("h2", {}, t("rr_own")), status, reason, figures, form].filter(Boolean));
}

async function tracking(ctx, section, parentId) {
  const { campaign } = ctx;
  const cid = encodeURIComponent(campaign.campaign_id);
  section.setAttribute("aria-busy", "true");
  try {
    const view = await api.get(`/campaigns/${cid}/results-reports`, parentId ? { parent_id: parentId } : {});
    const counts = view.counts;
    const summary = h(
      "p",
      { class: "tracking-summary" },
      `${t("rr_state_submitted")}: ${counts.submitted} · ${t("rr_state_late")}: ${counts.late} · ${t("rr_state_draft")}: ${counts.draft} · ${t("rr_state_missing")}: ${counts.missing}`,
    );
    const canReturn = ctx.session.role !== "viewer";
    const columns = [
      { label: t("unit"), cell: (r) => r.name },
      { label: t("rr_state"), cell: (r) => h("span", { class: `state state-${r.state}` }, t(`rr_state_${r.state}`)) },
      { label: t("rr_deadline"), cell: (r) => r.deadline || "—" },
      { label: t("rr_days"), cell: daysLeft },
      { label: t("score"), num: true, cell: (r) => (r.score == null ? "—" : fmtNumber(r.score)) },
    ];
    if (canReturn) {
      columns.push({
        label: t("actions"),
        cell: (r) => {
          if (r.state !== "submitted" && r.state !== "late") return "";
          const reason = h("input", { type: "text", name: "reason", maxlength: "2000", required: true });
          const form = h("form", { class: "inline-return" }, field(t("rr_reason"), reason), h("button", { type: "submit" }, t("rr_return")));
          form.addEventListener("submit", async (event) => {
            event.preventDefault();
            try {
              await api.post(`/results-reports/${r.results_report_id}/return`, { reason: reason.value });
              announce(t("rr_returned_done"));
              await tracking(ctx, section, parentId);
            } catch (error) {
              form.append(errorBox(error));
            }
          });
          return form;
        },
      });
    }
    section.replaceChildren(
      h("h2", {}, parentId ? t("rr_tracking_children") : t("rr_tracking_province")),
      h("p", { class: "muted" }, `${t("rr_today")}: ${view.today}`),
      summary,
      table(columns, view.items, { className: "tracking" }),
    );
  } catch (error) {
    section.replaceChildren(errorBox(error));
  } finally {
    section.setAttribute("aria-busy", "false");
  }
}

export async function render(ctx) {
  const { root, session, campaign } = ctx;
  root.append(h("h1", {}, t("rr_title")));
  if (!campaign) {
    root.append(h("p", { class: "notice" }, t("no_campaign")));
    return;
  }
  if (session.role === "unit_officer") {
    const own = h("section", { class: "own-report" });
    const children = h("section", { class: "children" });
    root.append(own, children);
    await ownReport(ctx, own);
    await tracking(ctx, children, session.unitId);
  } else if (PROVINCE_WIDE.has(session.role)) {
    const section = h("section", { class: "province-tracking" });
    root.append(section);
    await tracking(ctx, section, ctx.query.parent || null);
  }
}
