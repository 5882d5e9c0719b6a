// The period picker shared by the scoreboard, unit and interconnection pages: the
// campaign (default), one month, or a custom range of local dates; and the campaign's
// targets for the criteria in that period.
import { t } from "./i18n.js";
import { fmtDate } from "./format.js";
import { field, h, select } from "./ui.js";

/** {from, to} query values for the API (undefined = the campaign's own dates). */
export function rangeOf(query) {
  if (query.period === "month" && /^\d{4}-\d{2}$/.test(query.month || "")) {
    const [y, m] = query.month.split("-").map(Number);
    const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
    return { from: `${query.month}-01`, to: `${query.month}-${String(last).padStart(2, "0")}` };
  }
  if (query.period === "custom" && query.from && query.to) return { from: query.from, to: query.to };
  return { from: undefined, to: undefined };
}

export function describeRange(range, campaign) {
  const from = range.from || (campaign && campaign.start_date);
  const to = range.to || (campaign && campaign.end_date);
  return `${fmtDate(from)} – ${fmtDate(to)}`;
}

/**
 * The filter form. extra: more labelled fields placed first (e.g. the level).
 * onApply(query) receives the new query values.
 */
export function periodForm(ctx, extra, onApply) {
  const { query, campaign, campaigns } = ctx;
  const campaignSelect = select(
    "campaign",
    campaigns.map((c) => [c.campaign_id, c.name]),
    campaign && campaign.campaign_id,
  );
  const period = select(
    "period",
    [
      ["campaign", t("period_campaign")],
      ["month", t("period_month")],
      ["custom", t("period_custom")],
    ],
    query.period || "campaign",
  );
  const month = h("input", { type: "month", name: "month", value: query.month || (campaign ? campaign.start_date.slice(0, 7) : "") });
  const from = h("input", { type: "date", name: "from", value: query.from || (campaign ? campaign.start_date : "") });
  const to = h("input", { type: "date", name: "to", value: query.to || (campaign ? campaign.end_date : "") });
  const monthField = field(t("month"), month);
  const fromField = field(t("from"), from);
  const toField = field(t("to"), to);
  function sync() {
    monthField.hidden = period.value !== "month";
    fromField.hidden = toField.hidden = period.value !== "custom";
  }
  period.addEventListener("change", sync);
  sync();
  const form = h(
    "form",
    { class: "filters" },
    campaigns.length > 1 ? field(t("campaign"), campaignSelect) : null,
    extra,
    field(t("period"), period),
    monthField,
    fromField,
    toField,
    h("button", { type: "submit" }, t("show")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const values = { campaign: campaigns.length > 1 ? campaignSelect.value : undefined, period: period.value };
    if (period.value === "month") values.month = month.value;
    if (period.value === "custom") {
      values.from = from.value;
      values.to = to.value;
    }
    onApply(values);
  });
  return form;
}

/**
 * The campaign's target for each criterion (config.json `criteria`): a rate's in [0, 1], a
 * flag's true or false; the vocabulary's default where the campaign sets none, as the API
 * does. No campaign: the defaults.
 */
export function targetsOf(campaign, criteria) {
  const targets = (campaign && campaign.targets) || {};
  return Object.fromEntries(
    criteria.map((c) => [c.key, typeof targets[c.key] === typeof c.default_target ? targets[c.key] : c.default_target]),
  );
}
