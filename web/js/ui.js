// Small DOM helpers shared by the pages: element builder, errors in words, loading
// states, met/missed marks (symbol + text, never colour alone), tables and "load more".
import { t } from "./i18n.js";
import { fmtPercent } from "./format.js";

/** h("a", {href: "#/x", class: "c", on: {click: fn}}, "text", child) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "on") {
      for (const [event, handler] of Object.entries(value)) el.addEventListener(event, handler);
    } else if (key === "class") {
      el.className = value;
    } else if (key === "text") {
      el.textContent = value;
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else if (value === true) {
      el.setAttribute(key, "");
    } else {
      el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let uid = 0;
export function nextId(prefix = "f") {
  uid += 1;
  return `${prefix}-${uid}`;
}

/** A labelled control: field(t("from"), h("input", {type: "date"}), hint?) */
export function field(label, control, hint) {
  if (!control.id) control.id = nextId();
  const hintEl = hint ? h("span", { class: "hint", id: `${control.id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field" }, h("label", { for: control.id }, label), hintEl, control);
}

export function select(name, options, value) {
  return h(
    "select",
    { name },
    options.map(([v, label]) => h("option", { value: v, selected: String(v) === String(value) }, label)),
  );
}

/** The failure in words: the API's message, its details and the request id to quote. */
export function errorBox(error) {
  const requestId = error && error.requestId;
  const details = (error && error.details) || [];
  return h(
    "div",
    { class: "error", role: "alert", tabindex: "-1" },
    h("h2", {}, t("error_title")),
    h("p", { class: "error-message" }, (error && error.message) || String(error)),
    details.length
      ? h(
          "ul",
          {},
          details.map((d) =>
            h("li", {}, typeof d === "object" ? [d.field ? `${d.field}: ` : "", d.message || JSON.stringify(d)] : String(d)),
          ),
        )
      : null,
    h(
      "p",
      { class: "request-id" },
      requestId ? [`${t("request_id")}: `, h("code", {}, requestId)] : `(${t("no_request_id")})`,
    ),
  );
}

export function showError(container, error) {
  const box = errorBox(error);
  container.replaceChildren(box);
  box.focus();
  return box;
}

/** A check made in the page before calling the API (e.g. no file chosen), in words. */
export function inlineError(container, text) {
  const box = h("p", { class: "error", role: "alert" }, text);
  container.replaceChildren(box);
  return box;
}

export function loading(text = t("loading")) {
  return h("p", { class: "loading", role: "status" }, text);
}

export function announce(text) {
  const el = document.getElementById("announcer");
  if (el) {
    el.textContent = "";
    window.setTimeout(() => {
      el.textContent = text;
    }, 30);
  }
}

/** A criterion mark: ✔/✘/— with its word (hidden visually; the legend explains symbols). */
export function mark(state) {
  if (state === true) return h("span", { class: "met" }, h("span", { "aria-hidden": "true" }, "✔"), h("span", { class: "visually-hidden" }, t("met")));
  if (state === false) return h("span", { class: "missed" }, h("span", { "aria-hidden": "true" }, "✘"), h("span", { class: "visually-hidden" }, t("missed")));
  return h("span", { class: "na" }, h("span", { "aria-hidden": "true" }, "—"), h("span", { class: "visually-hidden" }, t("no_data")));
}

/** A symbol and its visible word, for cells that say the result in full. */
export function stateWord(state, naWord = t("no_data")) {
  if (state === true) return h("span", { class: "met" }, `✔ ${t("met")}`);
  if (state === false) return h("span", { class: "missed" }, `✘ ${t("missed")}`);
  return h("span", { class: "na" }, `— ${naWord}`);
}

/** A rate cell and whether it meets its target, as the API says (`met`): "✔ 100,0%". */
export function rateMark(rate, met) {
  if (rate === null || rate === undefined) return mark(null);
  return h("span", { class: "rate" }, mark(met), " ", fmtPercent(rate));
}

/** Compliance as a visible badge with words. */
export function verdict(compliant) {
  return compliant
    ? h("span", { class: "badge met" }, `✔ ${t("met")}`)
    : h("span", { class: "badge missed" }, `✘ ${t("missed")}`);
}

/** A flag criterion's value (two-way interconnection): yes, no or not applicable. */
export function flagMark(value) {
  if (value === null || value === undefined) {
    return h("span", { class: "na" }, h("span", { "aria-hidden": "true" }, "— "), t("not_applicable"));
  }
  return h("span", { class: value ? "met" : "missed" }, value ? `✔ ${t("yes")}` : `✘ ${t("no")}`);
}

/**
 * A table that becomes one card per row on a phone.
 * columns: [{label, num?, cell: (row) => node|text}]
 */
export function table(columns, rows, { caption, className = "" } = {}) {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: `stack ${className}` },
      caption ? h("caption", {}, caption) : null,
      h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col", class: c.num ? "num" : null }, c.label)))),
      h("tbody", {}, rows.map((row) => tableRow(columns, row))),
    ),
  );
}

export function tableRow(columns, row) {
  return h(
    "tr",
    {},
    columns.map((c) => h("td", { class: c.num ? "num" : null, "data-label": c.label }, c.cell(row))),
  );
}

/**
 * A paged list: calls load(nextToken) → {items, next_token}; renders rows into the
 * table body and offers "load more" while the API has more.
 */
export async function pagedTable(container, columns, load, { caption, empty } = {}) {
  const wrap = table(columns, [], { caption });
  const tbody = wrap.querySelector("tbody");
  const pager = h("div", { class: "pager" });
  const status = h("p", { class: "muted", hidden: true }, empty || t("none"));
  container.replaceChildren(wrap, status, pager);
  let next = null;
  let count = 0;
  async function more() {
    pager.replaceChildren(loading());
    try {
      const result = await load(next);
      for (const row of result.items) tbody.append(tableRow(columns, row));
      count += result.items.length;
      next = result.next_token;
      status.hidden = count > 0;
      wrap.hidden = count === 0;
      pager.replaceChildren(
        next ? h("button", { type: "button", class: "secondary", on: { click: more } }, t("load_more")) : "",
      );
    } catch (error) {
      pager.replaceChildren(errorBox(error));
    }
  }
  await more();
  return { reload: () => pagedTable(container, columns, load, { caption, empty }) };
}

/** Run an action from a form or button: disable it, show errors in words beside it. */
export async function act(button, statusEl, fn) {
  button.disabled = true;
  const spinner = loading(t("saving"));
  statusEl.replaceChildren(spinner);
  try {
    const result = await fn();
    spinner.remove(); // fn may have put its own outcome in statusEl: keep that
    return result;
  } catch (error) {
    const box = errorBox(error);
    statusEl.replaceChildren(box);
    box.focus();
    return undefined;
  } finally {
    button.disabled = false;
  }
}

/**
 * Creativity as a figure (the API's `creativity` object: a unit's, or an official's,
 * initiatives in the campaign): how many were submitted and recognised, and the recognised
 * ones by title. Titles are text, never markup.
 */
export function creativityBlock(creativity, { id } = {}) {
  if (!creativity) return null;
  const recognised = creativity.recognised || [];
  return h(
    "div",
    { class: "creativity", id },
    h(
      "dl",
      { class: "kv" },
      h("dt", {}, t("initiatives_submitted")),
      h("dd", {}, String(creativity.initiatives_submitted)),
      h("dt", {}, t("initiatives_recognised")),
      h("dd", {}, String(creativity.initiatives_recognised)),
    ),
    recognised.length
      ? h("ul", { class: "recognised-initiatives" }, recognised.map((i) => h("li", {}, i.title)))
      : h("p", { class: "muted" }, t("no_recognised_initiative")),
  );
}
