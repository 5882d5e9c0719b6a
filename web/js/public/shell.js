// The shell of every page anyone may open without signing in (the posted shortlist, the
// public scoreboard): config.json for the API's address, the language switch, a client
// that sends no token and turns the API's errors (a 429's Retry-After among them) into
// plain words, and the page's chrome. A public page is one module that calls `start`.
import { currentLang, setLang } from "../i18n.js";
import { clear, h } from "../ui.js";

let baseUrl = "";

const WORDS = {
  vi: {
    skip: "Bỏ qua, tới nội dung chính",
    other_lang: "English",
    footer: "Trang công khai: không cần đăng nhập",
    network: "Không kết nối được máy chủ. Hãy thử lại sau.",
    rate: "Bạn đã gửi quá nhiều yêu cầu. Hãy thử lại sau {s} giây.",
    not_found: "Không có nội dung công khai ở địa chỉ này.",
    error: "Có lỗi",
    request_id: "Mã yêu cầu",
  },
  en: {
    skip: "Skip to main content",
    other_lang: "Tiếng Việt",
    footer: "A public page: no sign-in needed",
    network: "Could not reach the server. Please try again later.",
    rate: "Too many requests. Please try again in {s} seconds.",
    not_found: "Nothing is published at this address.",
    error: "Something went wrong",
    request_id: "Request id",
  },
};

/** words(dict)(key, vars): a page's own words in the current language. */
export function words(dicts) {
  return (key, vars = {}) => {
    const text = dicts[currentLang()]?.[key] ?? dicts.vi[key] ?? WORDS[currentLang()][key] ?? key;
    return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
  };
}

const w = words(WORDS);

export class PublicError extends Error {
  constructor(status, code, message, requestId = null, retryAfter = null) {
    super(message);
    Object.assign(this, { status, code, requestId, retryAfter });
  }
}

/** GET or POST (JSON) an API path without a token. */
export async function call(method, path, body) {
  let response;
  try {
    response = await fetch(baseUrl + path, {
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new PublicError(0, "network_error", w("network"));
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (response.ok) return data;
  const error = data?.error || {};
  const retryAfter = Number(response.headers.get("Retry-After")) || null;
  let message = error.message || `HTTP ${response.status}`;
  if (response.status === 429) message = w("rate", { s: retryAfter || 60 });
  if (response.status === 404) message = w("not_found");
  throw new PublicError(response.status, error.code || "error", message, error.request_id, retryAfter);
}

/** An error as the page shows it: a box with role=alert, its words and the request id. */
export function errorBox(error) {
  return h(
    "div",
    { class: "error", role: "alert" },
    h("h2", {}, w("error")),
    h("p", {}, error.message),
    error.requestId ? h("p", { class: "muted" }, `${w("request_id")}: ${error.requestId}`) : null,
  );
}

function chrome(render) {
  document.documentElement.lang = currentLang();
  document.getElementById("skip-link").textContent = w("skip");
  document.getElementById("foot-text").textContent = w("footer");
  const button = document.getElementById("lang-switch");
  button.textContent = w("other_lang");
  button.lang = currentLang() === "vi" ? "en" : "vi";
  button.onclick = () => {
    setLang(currentLang() === "vi" ? "en" : "vi");
    chrome(render);
    render();
  };
}

/** Load config.json, draw the chrome, then `render(main)` (again on a language switch). */
export async function start(render) {
  const main = document.getElementById("main");
  const draw = () => render(main).catch((error) => clear(main, errorBox(error)));
  try {
    const response = await fetch("config.json", { cache: "no-store" });
    const config = await response.json();
    baseUrl = String(config.api_url || "").replace(/\/+$/, "");
  } catch {
    clear(main, errorBox(new PublicError(0, "network_error", w("network"))));
    return;
  }
  chrome(draw);
  await draw();
}

/** The campaign a public page is about: ?campaign=<id>. */
export function campaignParam() {
  return new URLSearchParams(window.location.search).get("campaign") || "";
}
