// Scoreboard: one level's ranking for the campaign, a month or a custom range.
import * as api from "../api.js";
import { criterionLabel, t } from "../i18n.js";
import { fmtDateTime, fmtNumber } from "../format.js";
import { describeRange, periodForm, rangeOf } from "../period.js";
import { errorBox, field, flagMark, h, loading, rateMark, select, table, verdict } from "../ui.js";

/** criteria: config.json `criteria`, a column each in the vocabulary's order. */
function columns(criteria, query) {
  const suffix = query.campaign ? `?campaign=${encodeURIComponent(query.campaign)}` : "";
  return [
    { label: t("rank"), num: true, cell: (r) => String(r.rank) },
    { label: t("unit"), cell: (r) => h("a", { href: `#/units/${encodeURIComponent(r.unit_id)}${suffix}` }, r.name) },
    { label: t("score"), num: true, cell: (r) => fmtNumber(r.score, 1) },
    // The standing criteria: an opt-in one (creativity) is in the score where the campaign
    // weighs it, and on the unit page.
    ...criteria.filter((c) => !c.opt_in).map((c) =>
      c.kind === "rate"
        ? { label: criterionLabel(c), num: true, cell: (r) => rateMark(r[c.key], r.met[c.key]) }
        : { label: criterionLabel(c), cell: (r) => flagMark(r[c.key]) },
    ),
    { label: t("processed_total"), num: true, cell: (r) => fmtNumber(r.processed_total) },
    { label: t("compliant"), cell: (r) => verdict(r.compliant) },
  ];
}

/** Draw a ranking (the API's answer) into container. Pure DOM: the benchmark times it. */
export function renderRanking(container, ranking, campaign, criteria, range, query = {}) {
  const compliant = ranking.items.filter((i) => i.compliant).length;
  const cards = h(
    "div",
    { class: "cards" },
    h("div", { class: "card" }, h("span", { class: "figure", id: "compliant-count" }, `${fmtNumber(compliant)} / ${fmtNumber(ranking.items.length)}`), h("span", { class: "label" }, t("compliant_count"))),
    h("div", { class: "card" }, h("span", { class: "figure" }, describeRange(range, campaign)), h("span", { class: "label" }, t("period"))),
    h("div", { class: "card" }, h("span", { class: "figure", id: "as-of" }, ranking.as_of ? fmtDateTime(ranking.as_of) : t("no_data_yet")), h("span", { class: "label" }, t("as_of"))),
  );
  const body = ranking.items.length
    ? table(columns(criteria, query), ranking.items, { caption: `${t(`level_${ranking.level}`)} – ${t("scoreboard_title")}`, className: "ranking" })
    : h("p", { class: "muted" }, t("scoreboard_empty"));
  container.replaceChildren(cards, h("p", { class: "legend" }, t("legend")), body);
}

export async function render(ctx) {
  const { root, query, campaign } = ctx;
  root.append(h("h1", {}, t("scoreboard_title")));
  if (!campaign) {
    root.append(h("p", { class: "notice" }, t("no_campaign")));
    return;
  }
  const levels = ctx.config.ranked_levels; // the levels the ranking route ranks
  const level = levels.includes(query.level) ? query.level : levels[0];
  const levelSelect = select("level", levels.map((l) => [l, t(`level_${l}`)]), level);
  root.append(
    h("p", { class: "muted" }, campaign.name),
    periodForm(ctx, field(t("level"), levelSelect), (values) => ctx.setQuery({ ...values, level: levelSelect.value })),
  );
  const result = h("section", { "aria-live": "polite", "aria-busy": "true", id: "scoreboard" }, loading());
  root.append(result);
  const range = rangeOf(query);
  try {
    const ranking = await api.get(`/campaigns/${encodeURIComponent(campaign.campaign_id)}/ranking`, { level, ...range });
    if (!ctx.isCurrent()) return;
    performance.mark("kg:ranking-received");
    renderRanking(result, ranking, campaign, ctx.config.criteria, range, query);
    performance.mark("kg:ranking-rendered");
    void result.offsetHeight; // style and layout now (the next frame reuses them): timed too
    performance.mark("kg:ranking-laid-out");
    // The frame after layout and paint: what bench/console.py times the scoreboard by.
    requestAnimationFrame(() => setTimeout(() => performance.mark("kg:ranking-painted"), 0));
  } catch (error) {
    result.replaceChildren(errorBox(error));
  } finally {
    result.setAttribute("aria-busy", "false");
  }
}
