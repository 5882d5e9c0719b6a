// Unit: figures against the targets, score and rank, what is missing to be compliant, a
// daily chart, officials' KPIs and sub-units. A unit officer opening another unit's
// address sees the API's refusal in words.
import * as api from "../api.js";
import { criterionLabel, t, tCriterion } from "../i18n.js";
import { fmtDate, fmtDateTime, fmtNumber, fmtPercent } from "../format.js";
import { describeRange, periodForm, rangeOf, targetsOf } from "../period.js";
import { creativityBlock, errorBox, flagMark, h, loading, stateWord, table, verdict } from "../ui.js";
import { dailyChart, dailyRates } from "../chart.js";

// What a flag criterion's figure is made of, where the console can say it (its Count cell).
const FLAG_COUNTS = {
  two_way_interconnection: (m) =>
    `${t("sent")}: ${fmtNumber(m.sent_electronic)} / ${fmtNumber(m.sent_paper)}; ${t("received")}: ${fmtNumber(m.received_electronic)} / ${fmtNumber(m.received_paper)}`,
};

/** What the unit still misses, criterion by criterion (config.json `criteria`): the counts
 * and the tier come from the API (`shortfalls`, `interconnection_tier`), never from a rule
 * of the console's own. */
function missingList(kpi, criteria, targets) {
  const m = kpi.metrics;
  const c = kpi.compliance;
  const tier = kpi.interconnection_tier;
  const other = tier ? t(`level_${tier}`).toLowerCase() : "";
  const items = [];
  for (const criterion of criteria) {
    const { key } = criterion;
    if (criterion.kind === "flag") {
      if (c[key] === false) items.push(tCriterion("missing", criterion, "missing_flag", { other }));
      continue;
    }
    if (criterion.kind === "count") {
      if (c[key] === false) items.push(t("missing_count", { criterion: criterionLabel(criterion), value: fmtNumber(m[key]), target: fmtNumber(targets[key]) }));
      continue;
    }
    if (c[key]) continue;
    if (m[key] === null) items.push(t("missing_no_data", { criterion: criterionLabel(criterion) }));
    else {
      const n = kpi.shortfalls[key];
      items.push(tCriterion("missing", criterion, "missing_rate", { value: fmtPercent(m[key]), target: fmtPercent(targets[key], 0), n: fmtNumber(n) }));
    }
  }
  return items;
}

function figuresTable(kpi, criteria, targets) {
  const m = kpi.metrics;
  const c = kpi.compliance;
  const rows = criteria.map((criterion) => {
    const { key } = criterion;
    if (criterion.kind === "rate") {
      return {
        label: criterionLabel(criterion),
        value: fmtPercent(m[key]),
        count: `${fmtNumber(m[criterion.numerator])} / ${fmtNumber(m[criterion.denominator])}`,
        target: fmtPercent(targets[key], 0),
        state: m[key] === null ? null : c[key],
      };
    }
    if (criterion.kind === "count") {
      return { label: criterionLabel(criterion), value: fmtNumber(m[key]), count: "—", target: fmtNumber(targets[key]), state: c[key] };
    }
    return {
      label: criterionLabel(criterion),
      value: flagMark(m[key]),
      count: key in FLAG_COUNTS ? FLAG_COUNTS[key](m) : "—",
      target: targets[key] ? t("yes") : t("no"),
      state: c[key],
      na: t("not_applicable"),
    };
  });
  return table(
    [
      { label: t("criterion"), cell: (r) => r.label },
      { label: t("value"), num: true, cell: (r) => r.value },
      { label: t("count"), cell: (r) => r.count },
      { label: t("target_col"), num: true, cell: (r) => r.target },
      { label: t("result"), cell: (r) => stateWord(r.state, r.na) },
    ],
    rows,
    { caption: t("figures"), className: "figures" },
  );
}

async function section(parent, title, load) {
  const body = h("div", {}, loading());
  parent.append(h("section", {}, h("h2", {}, title), body));
  try {
    await load(body);
  } catch (error) {
    body.replaceChildren(errorBox(error));
  }
}

export async function render(ctx) {
  const { root, params, query, campaign } = ctx;
  const unitId = params[0];
  const heading = h("h1", {}, t("unit_title"));
  root.append(heading);
  let unit;
  try {
    unit = await api.get(`/units/${encodeURIComponent(unitId)}`);
  } catch (error) {
    root.append(errorBox(error));
    root.querySelector(".error").focus();
    return;
  }
  heading.textContent = unit.name;
  root.append(h("p", { class: "muted" }, `${t(`level_${unit.level}`)} · ${unit.unit_id}`));
  if (!campaign) {
    root.append(h("p", { class: "notice" }, t("no_campaign")));
    return;
  }
  root.append(periodForm(ctx, null, (values) => ctx.setQuery(values)));
  // Every call names the campaign this page shows: its dates, targets and weights.
  const range = { ...rangeOf(query), campaign_id: campaign.campaign_id };
  const { criteria: vocabulary } = ctx.config;
  const targets = targetsOf(campaign, vocabulary);
  // An opt-in criterion (creativity) is drawn where the API assessed it (its campaign turned
  // it on), never from a rule of the console's own.
  const assessed = (kpi) => vocabulary.filter((c) => !c.opt_in || c.key in kpi.compliance);
  const summary = h("section", { id: "unit-kpi", "aria-busy": "true" }, loading());
  root.append(summary);
  const base = `/units/${encodeURIComponent(unitId)}`;
  const rankingPromise = ctx.config.ranked_levels.includes(unit.level)
    ? api
        .get(`/campaigns/${encodeURIComponent(campaign.campaign_id)}/ranking`, { level: unit.level, ...rangeOf(query) })
        .catch((error) => ({ error }))
    : Promise.resolve(null);
  try {
    const [kpi, ranking] = await Promise.all([api.get(`${base}/kpi`, range), rankingPromise]);
    // A failed ranking call is shown (its message and request id), never silently dropped.
    const rankingError = ranking && ranking.error;
    const row = ranking && !rankingError && ranking.items.find((i) => i.unit_id === unitId);
    summary.replaceChildren(
      h(
        "div",
        { class: "cards" },
        h("div", { class: "card" }, h("span", { class: "figure", id: "unit-score" }, fmtNumber(kpi.score, 1)), h("span", { class: "label" }, t("score"))),
        row
          ? h("div", { class: "card" }, h("span", { class: "figure", id: "unit-rank" }, String(row.rank)), h("span", { class: "label" }, `${t("rank_in_level")} ${t("of_units", { n: ranking.items.length })}`))
          : null,
        h("div", { class: "card" }, h("span", { class: "figure" }, verdict(kpi.compliance.compliant)), h("span", { class: "label" }, describeRange({ from: kpi.from, to: kpi.to }, campaign))),
        h("div", { class: "card" }, h("span", { class: "figure", id: "unit-processed" }, fmtNumber(kpi.metrics.processed_total)), h("span", { class: "label" }, t("processed_total"))),
      ),
      rankingError ? h("div", { id: "ranking-error" }, errorBox(rankingError)) : null,
      h("p", { class: "muted" }, `${t("as_of")}: ${kpi.as_of ? fmtDateTime(kpi.as_of) : t("no_data_yet")} · ${t("exempt_total")}: ${fmtNumber(kpi.metrics.exempt_total)} · ${t("paper_pages")}: ${fmtNumber(kpi.metrics.paper_pages)}`),
      figuresTable(kpi, assessed(kpi), targets),
      h("h2", {}, t("to_be_compliant")),
      kpi.compliance.compliant
        ? h("p", { class: "success" }, t("all_met"))
        : h("ul", { id: "missing" }, missingList(kpi, assessed(kpi), targets).map((text) => h("li", {}, text))),
      kpi.creativity
        ? h(
            "section",
            { "aria-labelledby": "creativity-title" },
            h("h2", { id: "creativity-title" }, t("creativity_title")),
            h("p", { class: "muted" }, "creativity" in kpi.compliance ? t("creativity_scored", { target: fmtNumber(targets.creativity) }) : t("creativity_not_scored")),
            creativityBlock(kpi.creativity, { id: "unit-creativity" }),
          )
        : null,
    );
  } catch (error) {
    summary.replaceChildren(errorBox(error));
    return;
  } finally {
    summary.setAttribute("aria-busy", "false");
  }
  await Promise.all([
    section(root, t("daily_chart"), async (body) => {
      const daily = await api.get(`${base}/kpi/daily`, range);
      body.replaceChildren(
        h("p", { class: "muted", id: "chart-desc" }, t("daily_chart_desc")),
        dailyChart(daily.days, vocabulary),
        h(
          "details",
          {},
          h("summary", {}, t("daily_table")),
          table(
            [
              { label: t("date"), cell: (d) => fmtDate(d.date) },
              ...dailyRates(vocabulary).map((c) => ({ label: criterionLabel(c), num: true, cell: (d) => fmtPercent(d.metrics[c.key]) })),
              { label: t("volume"), num: true, cell: (d) => fmtNumber(d.metrics.processed_total) },
            ],
            daily.days,
          ),
        ),
      );
    }),
    section(root, t("officials_kpi"), async (body) => {
      const list = await api.get(`${base}/officials/kpi`, range);
      body.replaceChildren(
        list.items.length
          ? table(
              [
                { label: t("official"), cell: (o) => o.full_name },
                { label: t("position"), cell: (o) => o.position },
                { label: t("processed_total"), num: true, cell: (o) => fmtNumber(o.processed_total) },
                { label: t("online_rate"), num: true, cell: (o) => fmtPercent(o.online_rate) },
                { label: t("on_time_rate"), num: true, cell: (o) => fmtPercent(o.on_time_rate) },
                { label: t("digital_signatures"), num: true, cell: (o) => fmtNumber(o.digital_signatures) },
                { label: t("latest_evaluation"), num: true, cell: (o) => (o.latest_evaluation_score === null ? "—" : `${fmtNumber(o.latest_evaluation_score, 0)} (${o.latest_evaluation_period})`) },
              ],
              list.items,
              { className: "officials" },
            )
          : h("p", { class: "muted" }, t("none")),
      );
    }),
    section(root, t("sub_units"), async (body) => {
      const children = await api.all("/units", { parent_id: unitId });
      body.replaceChildren(
        children.length
          ? h("ul", {}, children.map((u) => h("li", {}, h("a", { href: `#/units/${encodeURIComponent(u.unit_id)}` }, u.name), ` (${t(`level_${u.level}`)})`)))
          : h("p", { class: "muted" }, t("none")),
      );
    }),
  ]);
}
