// Interconnection: the province-level ↔ commune exchange matrix as a heat map (numbers in
// every cell, ⇄ for two-way pairs: colour only repeats what the text says), and the units
// without two-way exchange.
import * as api from "../api.js";
import { t } from "../i18n.js";
import { fmtDateTime, fmtNumber } from "../format.js";
import { describeRange, periodForm, rangeOf } from "../period.js";
import { errorBox, h, loading, table } from "../ui.js";

function shade(value, max) {
  if (!value) return "";
  // Light to dark blue; text turns white on the dark end to keep its contrast.
  const share = Math.sqrt(value / max);
  const lightness = Math.round(95 - share * 60);
  return `hsl(214 65% ${lightness}%)`;
}

/** provinceLevels: the levels of the rows, "province level" (config.json province_levels). */
export function heatMap(pairs, units, provinceLevels) {
  const rowLevels = new Set(provinceLevels);
  const byId = new Map(units.map((u) => [u.unit_id, u]));
  const rowsIds = [...new Set([...units.filter((u) => rowLevels.has(u.level)).map((u) => u.unit_id), ...pairs.map((p) => p.province_unit_id)])];
  const colIds = [...new Set([...units.filter((u) => u.level === "commune").map((u) => u.unit_id), ...pairs.map((p) => p.commune_unit_id)])];
  const cells = new Map(pairs.map((p) => [`${p.province_unit_id}|${p.commune_unit_id}`, p]));
  const max = Math.max(1, ...pairs.map((p) => p.sent_electronic + p.received_electronic));
  const name = (id) => (byId.get(id) ? byId.get(id).name : id);
  const head = h("tr", {}, h("th", { scope: "col" }, t("unit")), colIds.map((id) => h("th", { scope: "col", class: "rot" }, h("span", {}, name(id)))));
  const rows = rowsIds.map((rowId) =>
    h(
      "tr",
      {},
      h("th", { scope: "row" }, name(rowId)),
      colIds.map((colId) => {
        const pair = cells.get(`${rowId}|${colId}`);
        if (!pair) return h("td", { class: "cell" }, "");
        const electronic = pair.sent_electronic + pair.received_electronic;
        const twoWay = pair.sent_electronic > 0 && pair.received_electronic > 0;
        const td = h(
          "td",
          { class: "cell", title: t("heat_cell", { a: name(rowId), b: name(colId), s: pair.sent_electronic, r: pair.received_electronic, p: pair.sent_paper + pair.received_paper }) },
          `${twoWay ? "⇄ " : ""}${fmtNumber(electronic)}`,
        );
        td.style.backgroundColor = shade(electronic, max);
        if (Math.sqrt(electronic / max) > 0.55) td.style.color = "#fff";
        return td;
      }),
    ),
  );
  // The caption sits above the scrolling box (inside the table it would set its width).
  return h(
    "div",
    {},
    h("p", { id: "heat-caption", class: "legend" }, t("heat_caption")),
    h(
      "div",
      { class: "heat-wrap", tabindex: "0", role: "region", "aria-labelledby": "heat-caption" },
      h("table", { class: "heat", id: "heat-map", "aria-labelledby": "heat-caption" }, h("thead", {}, head), h("tbody", {}, rows)),
    ),
  );
}

/** Push reports against what the provincial hub saw, per pair (GET …/cross-check). */
async function crossCheck(campaign, range) {
  const section = h("section", { "aria-labelledby": "cross-check-title" }, h("h2", { id: "cross-check-title" }, t("cross_check_title")));
  try {
    const data = await api.get(`/campaigns/${encodeURIComponent(campaign.campaign_id)}/interconnection/cross-check`, range);
    if (!data.hub_sources.length) {
      section.append(h("p", { class: "muted" }, t("cross_check_no_hub")));
      return section;
    }
    section.append(h("p", { class: "muted" }, t("cross_check_legend")));
    section.append(
      data.differences.length
        ? table(
            [
              { label: t("cross_check_from"), cell: (p) => p.from_name || p.from_unit_id },
              { label: t("cross_check_to"), cell: (p) => p.to_name || p.to_unit_id },
              { label: t("cross_check_reported"), cell: (p) => fmtNumber(p.reported), num: true },
              { label: t("cross_check_seen"), cell: (p) => fmtNumber(p.seen_on_hub), num: true },
              { label: t("cross_check_not_seen"), cell: (p) => fmtNumber(p.reported_not_seen), num: true },
              { label: t("cross_check_not_reported"), cell: (p) => fmtNumber(p.seen_not_reported), num: true },
            ],
            data.differences,
            { className: "cross-check" },
          )
        : h("p", { class: "success" }, t("cross_check_agree")),
    );
  } catch (error) {
    section.append(errorBox(error));
  }
  return section;
}

export async function render(ctx) {
  const { root, query, campaign } = ctx;
  root.append(h("h1", {}, t("interconnection_title")));
  if (!campaign) {
    root.append(h("p", { class: "notice" }, t("no_campaign")));
    return;
  }
  root.append(periodForm(ctx, null, (values) => ctx.setQuery(values)));
  const body = h("section", { "aria-busy": "true" }, loading());
  root.append(body);
  const range = rangeOf(query);
  try {
    const [data, units] = await Promise.all([
      api.get(`/campaigns/${encodeURIComponent(campaign.campaign_id)}/interconnection`, range),
      api.all("/units"),
    ]);
    body.replaceChildren(
      h("p", { class: "muted" }, `${describeRange(range, campaign)} · ${t("as_of")}: ${data.as_of ? fmtDateTime(data.as_of) : t("no_data_yet")}`),
      h("p", { class: "legend" }, `⇄ ${t("two_way_interconnection").toLowerCase()} · ${t("pairs")}: ${fmtNumber(data.pairs.length)}`),
      heatMap(data.pairs, units, ctx.config.province_levels),
      h("h2", {}, `${t("without_two_way")} (${fmtNumber(data.units_without_two_way.length)})`),
      data.units_without_two_way.length
        ? table(
            [
              { label: t("unit"), cell: (u) => h("a", { href: `#/units/${encodeURIComponent(u.unit_id)}` }, u.name) },
              { label: t("level"), cell: (u) => t(`level_${u.level}`) },
            ],
            data.units_without_two_way,
            { className: "without-two-way" },
          )
        : h("p", { class: "success" }, t("none")),
    );
    body.append(await crossCheck(campaign, range));
  } catch (error) {
    body.replaceChildren(errorBox(error));
  } finally {
    body.setAttribute("aria-busy", "false");
  }
}
