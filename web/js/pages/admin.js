// Administration (province_admin): document systems (the secret shown once, with a copy
// button; rotate; disable), registry import from CSV, campaigns, and running a job now.
// Identifiers follow the server's pattern, campaigns its one time zone, its criteria and
// their defaults (config.json).
import * as api from "../api.js";
import { criterionLabel, t, tCriterion } from "../i18n.js";
import { fmtDateTime, fmtNumber } from "../format.js";
import { targetsOf } from "../period.js";
import { act, announce, errorBox, field, h, inlineError, loading, select, table } from "../ui.js";

const JOBS = ["aggregate_kpi", "verify_uploads", "monthly_reports", "campaign_reports", "rebuild_events"];

/**
 * Check an identifier field against the server's pattern (config.json). In script, not the
 * `pattern` attribute: browsers compile that with the `v` flag, where the class's bare "-"
 * is a syntax error, and would ignore it.
 */
function identifierInput(input, pattern) {
  const re = new RegExp(pattern);
  const check = () => input.setCustomValidity(!input.value || re.test(input.value) ? "" : t("invalid_identifier"));
  input.addEventListener("input", check);
  check();
  return input;
}

function secretBox(id, secret, extra) {
  const code = h("code", { class: "secret", id: "new-secret" }, secret);
  const copied = h("span", { role: "status" });
  const copy = h("button", { type: "button", class: "secondary" }, t("copy"));
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(secret);
    } catch {
      // No clipboard permission: select the text so Ctrl+C copies it.
      window.getSelection().selectAllChildren(code);
    }
    copied.textContent = t("copied");
  });
  return h("div", { class: "success", role: "status" }, h("p", {}, t("secret_once", { id })), code, extra ? h("p", {}, extra) : null, h("div", { class: "actions" }, copy, copied));
}

async function sourcesSection(section, config) {
  const listBox = h("div", {}, loading());
  const result = h("div", { id: "source-result" });
  const sourceId = identifierInput(h("input", { name: "source_id", required: true, autocomplete: "off" }), config.identifier_pattern);
  const name = h("input", { name: "name", required: true, maxlength: "200" });
  const units = h("input", { name: "units", required: true, autocomplete: "off" });
  const register = h("button", { type: "submit" }, t("register"));
  const form = h(
    "form",
    { class: "filters", id: "register-source" },
    field(t("source_id"), sourceId),
    field(t("name"), name),
    field(t("source_units"), units, t("source_units_hint")),
    register,
  );
  const refresh = async () => {
    try {
      const items = (await api.get("/admin/sources")).items;
      listBox.replaceChildren(
        table(
          [
            { label: t("source_id"), cell: (s) => s.source_id },
            { label: t("name"), cell: (s) => s.name },
            { label: t("source_units"), cell: (s) => (s.units || []).join(", ") },
            { label: t("enabled"), cell: (s) => h("span", { class: s.enabled ? "met" : "missed" }, s.enabled ? `✔ ${t("yes")}` : `✘ ${t("no")}`) },
            { label: t("last_event"), cell: (s) => (s.last_event_at ? fmtDateTime(s.last_event_at) : t("never")) },
            {
              label: t("action"),
              cell: (s) =>
                s.enabled
                  ? h(
                      "div",
                      { class: "actions" },
                      h("button", { type: "button", class: "secondary", "aria-label": `${t("rotate")} ${s.source_id}`, on: { click: (e) => rotate(e.currentTarget, s) } }, t("rotate")),
                      h("button", { type: "button", class: "danger", "aria-label": `${t("disable")} ${s.source_id}`, on: { click: (e) => disable(e.currentTarget, s) } }, t("disable")),
                    )
                  : "—",
            },
          ],
          items,
          { className: "sources" },
        ),
      );
    } catch (error) {
      listBox.replaceChildren(errorBox(error));
    }
  };
  const rotate = (button, source) =>
    act(button, result, async () => {
      const out = await api.post(`/admin/sources/${encodeURIComponent(source.source_id)}/rotate`);
      result.replaceChildren(secretBox(source.source_id, out.secret, t("old_secrets_until", { when: fmtDateTime(out.previous_secrets_expire_at) })));
    });
  const disable = (button, source) => {
    if (!window.confirm(t("confirm_disable", { id: source.source_id }))) return;
    act(button, result, async () => {
      await api.request("DELETE", `/admin/sources/${encodeURIComponent(source.source_id)}`);
      result.replaceChildren(h("p", { class: "success", role: "status" }, t("disabled_done", { id: source.source_id })));
      await refresh();
    });
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    act(register, result, async () => {
      const scope = units.value.split(/[\s,]+/).filter(Boolean);
      const out = await api.post("/admin/sources", { source_id: sourceId.value, name: name.value, units: scope });
      form.reset();
      result.replaceChildren(secretBox(out.source_id, out.secret));
      await refresh();
    });
  });
  section.append(h("h2", {}, t("sources_title")), form, result, listBox);
  await refresh();
}

function importSection(section) {
  const input = h("input", { type: "file", name: "csv", accept: ".csv,text/csv", required: true });
  const button = h("button", { type: "submit" }, t("import"));
  const status = h("div", { id: "import-status" });
  const form = h("form", { id: "import-registry" }, field(t("csv_file"), input, t("import_hint")), h("div", { class: "actions" }, button), status);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const file = input.files[0];
    if (!file) {
      inlineError(status, t("choose_file"));
      return;
    }
    act(button, status, async () => {
      const text = await file.text();
      const out = await api.request("POST", "/admin/units", { raw: text, contentType: "text/csv; charset=utf-8" });
      status.replaceChildren(h("p", { class: "success", role: "status" }, t("imported", { u: fmtNumber(out.units), o: fmtNumber(out.officials) })));
    });
  });
  section.append(h("h2", {}, t("import_title")), form);
}

function campaignForm(ctx, section) {
  const { campaigns } = ctx;
  const choice = select("campaign", [["", t("new_campaign")], ...campaigns.map((c) => [c.campaign_id, c.name])], ctx.campaign ? ctx.campaign.campaign_id : "");
  const holder = h("div");
  const draw = () => {
    const existing = campaigns.find((c) => c.campaign_id === choice.value) || null;
    holder.replaceChildren(campaignEditor(ctx, existing));
  };
  choice.addEventListener("change", draw);
  section.append(h("h2", {}, t("campaigns_title")), h("div", { class: "filters" }, field(t("edit_campaign"), choice)), holder);
  draw();
}

function campaignEditor(ctx, c) {
  const input = (name, type, value, attrs = {}) => h("input", { name, type, value: value ?? "", ...attrs });
  const id = identifierInput(input("campaign_id", "text", c && c.campaign_id, { required: true, readonly: Boolean(c) }), ctx.config.identifier_pattern);
  const name = input("name", "text", c && c.name, { required: true, maxlength: "500" });
  const start = input("start_date", "date", c && c.start_date, { required: true });
  const end = input("end_date", "date", c && c.end_date, { required: true });
  // Shown, never sent: the server gives every campaign the province's zone.
  const tz = input("timezone", "text", ctx.config.time_zone, { readonly: true });
  // The criteria and a new campaign's defaults come from the vocabulary (config.json).
  const { criteria } = ctx.config;
  const rates = criteria.filter((cr) => cr.kind === "rate");
  const flags = criteria.filter((cr) => cr.kind === "flag");
  const current = targetsOf(c, criteria);
  // A rate's target as a percentage; a flag's as a box: required or not.
  const targets = Object.fromEntries(rates.map((cr) => [cr.key, input(`target_${cr.key}`, "number", current[cr.key] * 100, { min: "0", max: "100", step: "0.1" })]));
  const required = Object.fromEntries(flags.map((cr) => [cr.key, h("input", { type: "checkbox", name: `target_${cr.key}`, checked: current[cr.key] })]));
  const weights = Object.fromEntries(criteria.map((cr) => [cr.key, input(`weight_${cr.key}`, "number", c && cr.key in c.weights ? c.weights[cr.key] : cr.default_weight, { min: "0", step: "0.1" })]));
  const deadlines = Object.fromEntries(["unit_report_deadline", "department_report_deadline", "nomination_deadline"].map((k) => [k, input(k, "date", c && c[k])]));
  const quotaDefaults = ctx.config.default_award_quotas;
  const quotas = Object.fromEntries(Object.keys(quotaDefaults).map((k) => [k, input(`quota_${k}`, "number", c ? c.award_quotas[k] : quotaDefaults[k], { min: "0", max: "1000" })]));
  const statusSel = select("status", [["active", t("cstatus_active")], ["archived", t("cstatus_archived")]], c ? c.status : "active");
  const button = h("button", { type: "submit" }, t("save"));
  const status = h("div", { id: "campaign-status" });
  const form = h(
    "form",
    { id: "campaign-form" },
    h("div", { class: "form-row" }, field(t("campaign_id"), id), field(t("name"), name), field(t("start_date"), start), field(t("end_date"), end), field(t("timezone"), tz, t("timezone_hint")), field(t("campaign_status"), statusSel)),
    h(
      "fieldset",
      {},
      h("legend", {}, t("targets")),
      h(
        "div",
        { class: "form-row" },
        rates.map((cr) => field(criterionLabel(cr), targets[cr.key])),
        flags.map((cr) => field(tCriterion("require", cr, "require_flag"), required[cr.key])),
      ),
    ),
    h("fieldset", {}, h("legend", {}, t("weights")), h("div", { class: "form-row" }, criteria.map((cr) => field(criterionLabel(cr), weights[cr.key])))),
    h("fieldset", {}, h("legend", {}, t("deadlines")), h("div", { class: "form-row" }, Object.entries(deadlines).map(([k, el]) => field(t(k), el)))),
    h("fieldset", {}, h("legend", {}, t("quotas")), h("div", { class: "form-row" }, Object.entries(quotas).map(([k, el]) => field(t(`quota_${k}`), el)))),
    h("div", { class: "actions" }, button),
    status,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const stored = { ...(c || {}) };
    delete stored.timezone; // the server defaults it to the province's zone
    const body = {
      ...stored,
      campaign_id: id.value,
      name: name.value,
      start_date: start.value,
      end_date: end.value,
      status: statusSel.value,
      targets: {
        ...Object.fromEntries(rates.map((cr) => [cr.key, Number(targets[cr.key].value) / 100])),
        ...Object.fromEntries(flags.map((cr) => [cr.key, required[cr.key].checked])),
      },
      weights: Object.fromEntries(criteria.map((cr) => [cr.key, Number(weights[cr.key].value)])),
      award_quotas: Object.fromEntries(Object.entries(quotas).map(([k, el]) => [k, Number(el.value)])),
      ...Object.fromEntries(Object.entries(deadlines).map(([k, el]) => [k, el.value || null])),
    };
    act(button, status, async () => {
      const saved = await api.post("/admin/campaigns", body);
      await ctx.refreshCampaigns();
      status.replaceChildren(h("p", { class: "success", role: "status" }, t("campaign_saved", { id: saved.campaign_id })));
      announce(t("campaign_saved", { id: saved.campaign_id }));
    });
  });
  return form;
}

function jobsSection(section) {
  const job = select("job", JOBS.map((j) => [j, `${t(`job_${j}`)} (${j})`]), "aggregate_kpi");
  const button = h("button", { type: "submit" }, t("run"));
  const status = h("div", { id: "job-status" });
  const form = h("form", { class: "filters", id: "run-job" }, field(t("job"), job), button);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    act(button, status, async () => {
      const name = encodeURIComponent(job.value);
      let out = await api.post(`/admin/jobs/${name}`);
      // In AWS the job runs in its own function: follow the run until it ends.
      for (let i = 0; i < 60 && (out.state === "queued" || out.state === "running"); i += 1) {
        status.replaceChildren(h("p", { role: "status" }, t("job_running", { job: out.job })));
        await new Promise((resolve) => setTimeout(resolve, 2000));
        out = await api.get(`/admin/jobs/${name}/runs/${encodeURIComponent(out.run_id)}`);
      }
      if (out.state === "failed") throw new Error(out.error || out.state);
      status.replaceChildren(h("p", { class: "success", role: "status" }, t("job_done", { job: out.job, result: "" })), h("pre", {}, JSON.stringify(out.result, null, 2)));
    });
  });
  section.append(h("h2", {}, t("jobs_title")), form, status);
}

export async function render(ctx) {
  const { root } = ctx;
  root.append(h("h1", {}, t("admin_title")));
  const sources = h("section", { id: "admin-sources" });
  const registry = h("section", { id: "admin-import" });
  const campaigns = h("section", { id: "admin-campaigns" });
  const jobs = h("section", { id: "admin-jobs" });
  root.append(sources, registry, campaigns, jobs);
  importSection(registry);
  campaignForm(ctx, campaigns);
  jobsSection(jobs);
  await sourcesSection(sources, ctx.config);
}
