// Nominations: the list with filters, a new nomination (the nominee picker offers only
// what the API lets the caller nominate), and the reviewers' queue with the quotas left.
import * as api from "../api.js";
import { t } from "../i18n.js";
import { fmtDateTime, fmtNumber } from "../format.js";
import { act, errorBox, field, h, loading, pagedTable, select } from "../ui.js";

export const WRITERS = new Set(["province_admin", "unit_officer"]);
export const REVIEWERS = new Set(["province_admin", "reviewer"]);
const STATUSES = ["draft", "submitted", "eligible", "not_eligible", "approved", "rejected"];
const KINDS = ["collective", "individual"];

export function statusBadge(status) {
  const symbol = { draft: "✎", submitted: "→", approved: "✔", rejected: "✘" }[status] || "";
  const cls = status === "approved" ? "met" : status === "rejected" ? "missed" : "";
  return h("span", { class: `badge ${cls}` }, `${symbol} ${t(`status_${status}`)}`);
}

function listColumns(unitNames = new Map()) {
  return [
    { label: t("nominee"), cell: (n) => h("a", { href: `#/nominations/${encodeURIComponent(n.nomination_id)}` }, n.nominee.name) },
    { label: t("kind"), cell: (n) => t(`kind_${n.kind}`) },
    { label: t("nominating_unit"), cell: (n) => unitNames.get(n.unit_id) || n.unit_id },
    { label: t("status"), cell: (n) => statusBadge(n.status) },
    { label: t("files"), num: true, cell: (n) => fmtNumber(n.file_count) },
    { label: t("created_at"), cell: (n) => fmtDateTime(n.created_at) },
  ];
}

/** Approved count per kind against the campaign's quotas. */
export async function quotasLeft(campaign) {
  const quotas = campaign.award_quotas; // the API's (a campaign always has them): no default here
  const base = `/campaigns/${encodeURIComponent(campaign.campaign_id)}/nominations`;
  const result = {};
  for (const kind of KINDS) {
    const approved = await api.all(base, { status: "approved", kind });
    result[kind] = { quota: quotas[kind], left: Math.max(0, quotas[kind] - approved.length) };
  }
  return result;
}

function quotaText(quotas) {
  return KINDS.map((kind) => t("quota_left", { n: quotas[kind].left, q: quotas[kind].quota, kind: t(`kind_${kind}`).toLowerCase() })).join(" · ");
}

function createForm(ctx, units) {
  const { campaign } = ctx;
  const status = h("div");
  const kind = select("kind", KINDS.map((k) => [k, t(`kind_${k}`)]), "collective");
  const unitOptions = [["", t("choose")], ...units.map((u) => [u.unit_id, `${u.name} (${u.unit_id})`])];
  const nomineeUnit = select("nominee_unit_id", unitOptions, "");
  const officialUnit = select("official_unit", unitOptions, "");
  const official = select("nominee_official_id", [["", t("choose")]], "");
  const summary = h("textarea", { name: "summary", required: true, maxlength: "5000" });
  const creativity = h("textarea", { name: "creativity", maxlength: "5000" });
  const collectiveFields = field(t("nominee_unit"), nomineeUnit, t("picker_hint"));
  const individualFields = h("div", { class: "form-row" }, field(t("official_unit"), officialUnit, t("picker_hint")), field(t("nominee_official"), official));
  const sync = () => {
    collectiveFields.hidden = kind.value !== "collective";
    individualFields.hidden = kind.value !== "individual";
  };
  kind.addEventListener("change", sync);
  sync();
  officialUnit.addEventListener("change", async () => {
    official.replaceChildren(h("option", { value: "" }, t("loading")));
    try {
      const people = officialUnit.value ? await api.all(`/units/${encodeURIComponent(officialUnit.value)}/officials`) : [];
      official.replaceChildren(
        h("option", { value: "" }, t("choose")),
        people.filter((p) => p.active).map((p) => h("option", { value: p.official_id }, `${p.full_name} – ${p.position}`)),
      );
    } catch (error) {
      official.replaceChildren(h("option", { value: "" }, t("choose")));
      status.replaceChildren(errorBox(error));
    }
  });
  const button = h("button", { type: "submit" }, t("create"));
  const form = h(
    "form",
    { id: "new-nomination" },
    h("div", { class: "form-row" }, field(t("kind"), kind)),
    collectiveFields,
    individualFields,
    field(t("summary"), summary),
    field(t("creativity"), creativity),
    h("div", { class: "actions" }, button),
    status,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = { kind: kind.value, summary: summary.value, creativity: creativity.value };
    if (kind.value === "collective") body.nominee_unit_id = nomineeUnit.value || null;
    else body.nominee_official_id = official.value || null;
    act(button, status, async () => {
      const created = await api.post(`/campaigns/${encodeURIComponent(campaign.campaign_id)}/nominations`, body);
      window.location.hash = `#/nominations/${encodeURIComponent(created.nomination_id)}`;
    });
  });
  return h("details", { class: "create", open: ctx.query.new === "1" }, h("summary", {}, t("new_nomination")), form);
}

export async function render(ctx) {
  const { root, query, session, campaign } = ctx;
  root.append(h("h1", {}, t("nominations_title")));
  if (!campaign) {
    root.append(h("p", { class: "notice" }, t("no_campaign")));
    return;
  }
  root.append(h("p", { class: "muted" }, campaign.name));
  const base = `/campaigns/${encodeURIComponent(campaign.campaign_id)}/nominations`;
  let units = [];
  try {
    units = await api.all("/units");
  } catch (error) {
    root.append(errorBox(error));
  }
  const names = new Map(units.map((u) => [u.unit_id, u.name]));
  if (WRITERS.has(session.role)) root.append(createForm(ctx, units));
  if (REVIEWERS.has(session.role)) {
    const queue = h("section", { id: "review-queue" }, h("h2", {}, t("queue_title")), loading());
    root.append(queue);
    try {
      const quotas = await quotasLeft(campaign);
      const list = h("div");
      queue.replaceChildren(h("h2", {}, t("queue_title")), h("p", { class: "notice", id: "quota" }, quotaText(quotas)), list);
      await pagedTable(list, listColumns(names), (next) => api.page(base, { status: "submitted", limit: 20 }, next), { empty: t("nothing") });
    } catch (error) {
      queue.append(errorBox(error));
    }
  }
  const statusSelect = select("status", [["", t("all")], ...STATUSES.map((s) => [s, t(`status_${s}`)])], query.status || "");
  const kindSelect = select("kind", [["", t("all")], ...KINDS.map((k) => [k, t(`kind_${k}`)])], query.kind || "");
  const unitSelect = select("unit_id", [["", t("all")], ...units.map((u) => [u.unit_id, u.name])], query.unit_id || "");
  const filters = h(
    "form",
    { class: "filters" },
    field(t("status"), statusSelect),
    field(t("kind"), kindSelect),
    field(t("nominating_unit"), unitSelect),
    h("button", { type: "submit" }, t("filter")),
  );
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    ctx.setQuery({ campaign: query.campaign, status: statusSelect.value, kind: kindSelect.value, unit_id: unitSelect.value });
  });
  const list = h("div", { id: "nomination-list" });
  root.append(h("h2", {}, t("nominations_title")), filters, list);
  await pagedTable(
    list,
    listColumns(names),
    (next) => api.page(base, { status: query.status, kind: query.kind, unit_id: query.unit_id, limit: 50 }, next),
    { empty: t("nothing") },
  );
}
