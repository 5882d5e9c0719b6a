// The public scoreboard of a campaign that opted in: no sign-in, units only, readable on a
// phone. public.html?campaign=<id>&level=<department|commune|division>
// The criteria come from config.json (the vocabulary), words and formats from the console's
// own modules: nothing here restates a rule or a format.
import { criterionLabel } from "./i18n.js";
import { fmtDate, fmtDateTime, fmtNumber, fmtPercent } from "./format.js";

const LEVELS = { department: "Sở, ban, ngành", commune: "Xã, phường, đặc khu", division: "Phòng thuộc sở" };

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v != null && v !== false) el.setAttribute(k, v === true ? "" : v);
  for (const c of children.flat()) if (c != null) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

async function start() {
  const main = document.getElementById("main");
  const params = new URLSearchParams(window.location.search);
  const campaign = params.get("campaign") || "";
  const level = LEVELS[params.get("level")] ? params.get("level") : "commune";
  let api = "";
  let criteria = [];
  try {
    const config = await (await fetch("config.json", { cache: "no-store" })).json();
    api = String(config.api_url || "").replace(/\/+$/, "");
    // The rate criteria every campaign assesses (the public ranking's columns).
    criteria = (config.criteria || []).filter((c) => c.kind === "rate" && !c.opt_in);
  } catch {
    // same origin
  }
  const base = `${api}/public/campaigns/${encodeURIComponent(campaign)}`;
  const shown = (message, requestId) =>
    main.replaceChildren(
      h(
        "div",
        { class: "page" },
        h("h1", {}, "Bảng xếp hạng công khai"),
        h(
          "div",
          { class: "error", role: "alert" },
          h("p", { class: "error-message" }, message),
          // The request id to quote when asking for help (absent when nothing answered).
          requestId ? h("p", { class: "request-id" }, "Mã yêu cầu: ", h("code", {}, requestId)) : null,
        ),
      ),
    );
  let response;
  try {
    response = await fetch(`${base}/ranking?level=${level}`);
  } catch {
    shown("Không kết nối được máy chủ. Hãy thử lại sau.", null);
    return;
  }
  if (!response.ok) {
    // A failure says what it is (the API's message): only a 404 means "not published".
    let error = {};
    try {
      error = (await response.json()).error || {};
    } catch {
      error = {};
    }
    const requestId = error.request_id || response.headers.get("X-Request-Id");
    const message =
      response.status === 429
        ? `Quá nhiều yêu cầu; vui lòng thử lại sau ${response.headers.get("Retry-After") || "ít"} giây.`
        : response.status === 404
          ? "Không có bảng xếp hạng công khai cho phong trào này."
          : error.message || `Lỗi máy chủ (HTTP ${response.status}).`;
    shown(message, requestId);
    return;
  }
  const data = await response.json();
  document.title = `${data.campaign_name} – Bảng xếp hạng công khai`;
  const nav = h(
    "nav",
    { "aria-label": "Cấp đơn vị" },
    h("ul", { class: "levels" }, Object.entries(LEVELS).map(([key, label]) =>
      h("li", {}, h("a", { href: `?campaign=${encodeURIComponent(campaign)}&level=${key}`, "aria-current": key === level ? "page" : null }, label)))),
  );
  const rows = data.items.map((item) =>
    h(
      "tr",
      {},
      h("td", { "data-label": "Hạng", class: "num" }, item.rank),
      h("td", { "data-label": "Đơn vị" }, item.name),
      h("td", { "data-label": "Điểm", class: "num" }, fmtNumber(item.score, 2)),
      criteria.map((c) => h("td", { "data-label": criterionLabel(c), class: "num" }, fmtPercent(item[c.key]))),
      h("td", { "data-label": "Đạt tất cả" }, item.compliant ? "Đạt" : "Chưa đạt"),
    ),
  );
  const table = h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "stack public-ranking" },
      h("caption", {}, `${LEVELS[level]}: ${data.items.length} đơn vị`),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Hạng"), h("th", { scope: "col" }, "Đơn vị"), h("th", { scope: "col" }, "Điểm"),
        criteria.map((c) => h("th", { scope: "col" }, criterionLabel(c))), h("th", { scope: "col" }, "Đạt tất cả"))),
      h("tbody", {}, rows),
    ),
  );
  const asOf = data.as_of ? fmtDateTime(data.as_of) : "chưa có dữ liệu";
  main.replaceChildren(
    h(
      "div",
      { class: "page page-public" },
      h("h1", {}, data.campaign_name),
      h("p", { class: "muted" }, `Từ ${fmtDate(data.from)} đến ${fmtDate(data.to)}; số liệu cập nhật đến ${asOf}.`),
      nav,
      table,
      h("p", {}, "Dữ liệu mở: ", h("a", { href: `${base}/open-data.csv` }, "CSV"), " · ", h("a", { href: `${base}/open-data.json` }, "JSON")),
      h("p", { class: "muted" }, data.licence),
    ),
  );
}

start();
