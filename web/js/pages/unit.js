// Unit: figures against the targets, score and rank, what is missing to be compliant, a
// daily chart, officials' KPIs and sub-units. A unit officer opening another unit's
// address sees the API's refusal in words.
import * as api from "../api.js";
import { fmtDate, fmtDateTime, fmtNumber, fmtPercent, t } from "../i18n.js";
import { describeRange, periodForm, rangeOf, targetsOf } from "../period.js";
import { errorBox, h, loading, stateWord, table, twoWayMark, verdict } from "../ui.js";
import { dailyChart } from "../chart.js";

/** Documents (or officials) still missing for a rate to reach its target. */
export function shortfall(done, total, target) {
  return Math.max(0, Math.ceil(target * total - 1e-9) - done);
}

function missingList(kpi, targets) {
  const m = kpi.metrics;
  const c = kpi.compliance;
  const items = [];
  const rows = [
    ["online_rate", "missing_online", m.processed_online, m.processed_total],
    ["signing_rate", "missing_signing", m.issued_signed_digitally, m.issued_total],
    ["e_issuance_rate", "missing_e_issuance", m.issued_online, m.issued_total],
    ["kpi_coverage", "missing_kpi", m.officials_evaluated, m.officials_active],
  ];
  for (const [key, text, done, total] of rows) {
    if (c[key]) continue;
    if (m[key] === null) items.push(t("missing_no_data", { criterion: t(key) }));
    else
      items.push(
        t(text, { value: fmtPercent(m[key]), target: fmtPercent(targets[key], 0), n: fmtNumber(shortfall(done, total, targets[key])) }),
      );
  }
  if (c.two_way_interconnection === false) {
    items.push(t("missing_two_way", { other: kpi.level === "commune" ? t("level_province").toLowerCase() : t("level_commune").toLowerCase() }));
  }
  return items;
}

function figuresTable(kpi, targets) {
  const m = kpi.metrics;
  const c = kpi.compliance;
  const rateRow = (key, done, total) => ({
    label: t(key),
    value: fmtPercent(m[key]),
    count: `${fmtNumber(done)} / ${fmtNumber(total)}`,
    target: fmtPercent(targets[key], 0),
    state: m[key] === null ? null : c[key],
  });
  const rows = [
    rateRow("online_rate", m.processed_online, m.processed_total),
    rateRow("signing_rate", m.issued_signed_digitally, m.issued_total),
    rateRow("e_issuance_rate", m.issued_online, m.issued_total),
    rateRow("kpi_coverage", m.officials_evaluated, m.officials_active),
    {
      label: t("two_way_interconnection"),
      value: twoWayMark(m.two_way_interconnection),
      count: `${t("sent")}: ${fmtNumber(m.sent_electronic)} / ${fmtNumber(m.sent_paper)}; ${t("received")}: ${fmtNumber(m.received_electronic)} / ${fmtNumber(m.received_paper)}`,
      target: targets.two_way_interconnection ? t("yes") : t("no"),
      state: c.two_way_interconnection,
      na: t("not_applicable"),
    },
  ];
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
  const range = rangeOf(query);
  const targets = targetsOf(campaign);
  const summary = h("section", { id: "unit-kpi", "aria-busy": "true" }, loading());
  root.append(summary);
  const base = `/units/${encodeURIComponent(unitId)}`;
  const rankingPromise = ctx.config.ranked_levels.includes(unit.level)
    ? api.get(`/campaigns/${encodeURIComponent(campaign.campaign_id)}/ranking`, { level: unit.level, ...range }).catch(() => null)
    : Promise.resolve(null);
  try {
    const [kpi, ranking] = await Promise.all([api.get(`${base}/kpi`, range), rankingPromise]);
    const row = ranking && ranking.items.find((i) => i.unit_id === unitId);
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
      h("p", { class: "muted" }, `${t("as_of")}: ${kpi.as_of ? fmtDateTime(kpi.as_of) : t("no_data_yet")} · ${t("exempt_total")}: ${fmtNumber(kpi.metrics.exempt_total)} · ${t("paper_pages")}: ${fmtNumber(kpi.metrics.paper_pages)}`),
      figuresTable(kpi, targets),
      h("h2", {}, t("to_be_compliant")),
      kpi.compliance.compliant
        ? h("p", { class: "success" }, t("all_met"))
        : h("ul", { id: "missing" }, missingList(kpi, targets).map((text) => h("li", {}, text))),
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
        dailyChart(daily.days),
        h(
          "details",
          {},
          h("summary", {}, t("daily_table")),
          table(
            [
              { label: t("date"), cell: (d) => fmtDate(d.date) },
              { label: t("online_rate"), num: true, cell: (d) => fmtPercent(d.metrics.online_rate) },
              { label: t("signing_rate"), num: true, cell: (d) => fmtPercent(d.metrics.signing_rate) },
              { label: t("e_issuance_rate"), num: true, cell: (d) => fmtPercent(d.metrics.e_issuance_rate) },
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
