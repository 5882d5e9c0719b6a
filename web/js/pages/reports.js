// Reports: the campaign's reports (paged), generate one (province admin: any scope; unit
// officer: its unit or a sub-unit), and download links for each format.
import * as api from "../api.js";
import { t } from "../i18n.js";
import { fmtBytes, fmtDate, fmtDateTime } from "../format.js";
import { act, errorBox, field, h, pagedTable, select } from "../ui.js";

const FORMATS = ["pdf", "xlsx", "csv", "manifest"];

function downloadCell(report) {
  if (report.status !== "ready") return "—";
  const format = select("format", FORMATS.map((f) => [f, f.toUpperCase()]), "pdf");
  format.setAttribute("aria-label", `${t("format")} – ${report.scope_name || report.scope} v${report.version}`);
  const links = h("div", { class: "links" });
  const button = h("button", { type: "button", class: "secondary download" }, t("download"));
  button.addEventListener("click", () =>
    act(button, links, async () => {
      const data = await api.get(`/reports/${encodeURIComponent(report.report_id)}/download`, { format: format.value });
      const anchors = data.files.map((f) => h("a", { href: f.url, download: f.name.split("/").pop() }, `${f.name} (${fmtBytes(f.size)})`));
      links.replaceChildren(h("ul", {}, anchors.map((a) => h("li", {}, a))), h("p", { class: "muted" }, t("link_valid", { when: fmtDateTime(data.expires_at) })));
      if (anchors.length === 1) anchors[0].click();
    }),
  );
  return h("div", {}, h("div", { class: "actions" }, format, button), links);
}

function columns() {
  return [
    { label: t("scope"), cell: (r) => r.scope_name || (r.scope === "province" ? t("scope_province") : r.scope) },
    { label: t("period"), cell: (r) => `${fmtDate(r.from)} – ${fmtDate(r.to)}` },
    { label: t("version"), num: true, cell: (r) => `v${r.version}` },
    { label: t("language"), cell: (r) => t(`lang_${r.lang}`) },
    { label: t("status"), cell: (r) => h("span", { class: `badge ${r.status === "ready" ? "met" : r.status === "failed" ? "missed" : ""}` }, t(`rstatus_${r.status}`)) },
    { label: t("created"), cell: (r) => fmtDateTime(r.created_at) },
    { label: t("download"), cell: downloadCell },
  ];
}

async function generateForm(ctx, onDone) {
  const { campaign, session } = ctx;
  let scopes;
  if (session.role === "province_admin") {
    const units = await api.all("/units");
    scopes = [["province", t("scope_province")], ...units.map((u) => [u.unit_id, u.name])];
  } else {
    scopes = (await api.all("/units")).map((u) => [u.unit_id, u.name]);
  }
  const scope = select("scope", scopes, session.role === "province_admin" ? "province" : session.unitId);
  const from = h("input", { type: "date", name: "from", value: campaign.start_date });
  const to = h("input", { type: "date", name: "to", value: campaign.end_date });
  const lang = select("lang", [["vi", t("lang_vi")], ["en", t("lang_en")]], "vi");
  const button = h("button", { type: "submit" }, t("generate"));
  const status = h("div", { id: "generate-status" });
  const form = h("form", { class: "filters", id: "generate-report" }, field(t("scope"), scope), field(t("from"), from), field(t("to"), to), field(t("language"), lang), button);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    act(button, status, async () => {
      status.replaceChildren(h("p", { class: "loading", role: "status" }, t("generating")));
      const report = await api.post("/admin/reports", { campaign_id: campaign.campaign_id, scope: scope.value, from: from.value || null, to: to.value || null, lang: lang.value });
      await onDone();
      status.replaceChildren(h("p", { class: "success", role: "status" }, t("report_ready", { v: report.version })));
    });
  });
  return h("section", {}, h("h2", {}, t("generate")), form, status);
}

export async function render(ctx) {
  const { root, session, campaign } = ctx;
  root.append(h("h1", {}, t("reports_title")));
  if (!campaign) {
    root.append(h("p", { class: "notice" }, t("no_campaign")));
    return;
  }
  root.append(h("p", { class: "muted" }, campaign.name));
  const list = h("div", { id: "report-list" });
  const load = () => pagedTable(list, columns(), (next) => api.page("/reports", { campaign_id: campaign.campaign_id, limit: 20 }, next), { empty: t("no_reports") });
  if (session.role === "province_admin" || session.role === "unit_officer") {
    try {
      root.append(await generateForm(ctx, load));
    } catch (error) {
      root.append(errorBox(error));
    }
  }
  root.append(h("h2", {}, t("reports_title")), list);
  await load();
}
