// The unit's daily chart (uPlot, vendored): the document rates as lines told apart by dash
// pattern as well as colour, and the processed volume as bars on its own axis.
import { criterionLabel, t } from "./i18n.js";
import { fmtNumber, fmtPercent } from "./format.js";
import { errorBox, h } from "./ui.js";

// The line of each rate criterion the chart draws: its own colour and dash, never colour
// alone. KPI coverage has none: evaluations are monthly, a daily line of them says nothing.
const LINES = {
  online_rate: { stroke: "#1d4f91" },
  signing_rate: { stroke: "#00703c", dash: [8, 4] },
  e_issuance_rate: { stroke: "#8a4b00", dash: [2, 3] },
};

/** The rate criteria (config.json `criteria`) shown day by day, in the vocabulary's order. */
export function dailyRates(criteria) {
  return criteria.filter((c) => c.kind === "rate" && c.key in LINES);
}

let uPlotModule = null;
let cssLoaded = false;

function loadCss() {
  if (cssLoaded) return;
  cssLoaded = true;
  document.head.append(h("link", { rel: "stylesheet", href: "vendor/uplot/uPlot.min.css" }));
}

function dayLabel(iso) {
  const [, m, d] = iso.split("-");
  return `${d}/${m}`;
}

/** A figure element; the chart draws into it once uPlot has loaded. */
export function dailyChart(days, criteria) {
  const rates = dailyRates(criteria);
  const figure = h("figure", { class: "chart", id: "daily-chart", "aria-describedby": "chart-desc" });
  if (!days.length) {
    figure.append(h("p", { class: "muted" }, t("none")));
    return figure;
  }
  loadCss();
  const draw = async () => {
    if (!uPlotModule) uPlotModule = (await import("../vendor/uplot/uPlot.esm.js")).default;
    const uPlot = uPlotModule;
    const xs = days.map((_, i) => i);
    const pct = (key) => days.map((d) => (d.metrics[key] === null ? null : d.metrics[key] * 100));
    const data = [xs, ...rates.map((c) => pct(c.key)), days.map((d) => d.metrics.processed_total)];
    const width = Math.max(280, Math.min(1100, (figure.parentElement || document.body).clientWidth - 8));
    const bars = uPlot.paths.bars({ size: [0.6, 40] });
    const chart = new uPlot(
      {
        width,
        height: 280,
        scales: { x: { time: false }, pct: { range: [0, 100] }, n: { range: (u, min, max) => [0, Math.max(1, max)] } },
        axes: [
          { values: (u, splits) => splits.map((i) => (Number.isInteger(i) && days[i] ? dayLabel(days[i].date) : "")) },
          { scale: "pct", values: (u, splits) => splits.map((v) => `${fmtNumber(v)}%`), size: 56 },
          { scale: "n", side: 1, grid: { show: false }, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000], values: (u, splits) => splits.map((v) => fmtNumber(v)), size: 48 },
        ],
        series: [
          { label: t("date"), value: (u, i) => (i === null || !days[i] ? "—" : dayLabel(days[i].date)) },
          ...rates.map((c) => ({ label: criterionLabel(c), scale: "pct", ...LINES[c.key], width: 2, value: (u, v) => fmtPercent(v === null ? null : v / 100) })),
          { label: t("volume"), scale: "n", stroke: "#6f777b", fill: "rgba(111,119,123,0.25)", paths: bars, points: { show: false }, value: (u, v) => fmtNumber(v) },
        ],
      },
      data,
      figure,
    );
    chart.root.querySelector("canvas")?.setAttribute("role", "img");
    chart.root.querySelector("canvas")?.setAttribute("aria-label", t("daily_chart_desc"));
  };
  // Draw once the figure is in the document (its width is known then).
  requestAnimationFrame(() => {
    // Not an API call (the chart library failed): shown in words all the same.
    draw().catch((error) => figure.replaceChildren(errorBox(error)));
  });
  return figure;
}
