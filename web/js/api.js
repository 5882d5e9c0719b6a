// The one API client every page uses: bearer token, errors with the API's message and
// request id, next_token paging, and a 401 (or an expired token) sends the user back to
// sign-in instead of leaving a half-broken page.
import { bearer, signIn } from "./auth.js";
import { t } from "./i18n.js";

let baseUrl = "";

export function configure(config) {
  baseUrl = String(config.api_url || "").replace(/\/+$/, "");
}

export class ApiError extends Error {
  constructor({ status = 0, code = "network_error", message, details = [], requestId = null }) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.requestId = requestId;
  }
}

function url(path, query) {
  const target = new URL(baseUrl + path);
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") target.searchParams.set(key, value);
  }
  return target.toString();
}

/**
 * request("GET", "/units", {query: {level: "commune"}}) → parsed JSON (null for 204).
 * body: an object (sent as JSON) or {raw, contentType} for other media types.
 */
export async function request(method, path, { query, body, raw, contentType } = {}) {
  const token = bearer();
  if (!token) {
    signIn({ expired: true });
    throw new ApiError({ status: 401, code: "unauthorized", message: t("session_expired") });
  }
  const headers = { Authorization: `Bearer ${token}` };
  let payload;
  if (raw !== undefined) {
    payload = raw;
    headers["Content-Type"] = contentType || "application/octet-stream";
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers["Content-Type"] = "application/json";
  }
  let response;
  try {
    response = await fetch(url(path, query), { method, headers, body: payload });
  } catch {
    throw new ApiError({ message: t("network_error") });
  }
  const requestId = response.headers.get("X-Request-Id");
  if (response.status === 204) return null;
  let data = null;
  const text = await response.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (response.status === 401) {
    signIn({ expired: true });
  }
  if (!response.ok) {
    const error = (data && data.error) || {};
    throw new ApiError({
      status: response.status,
      code: error.code || `http_${response.status}`,
      message: error.message || `HTTP ${response.status}`,
      details: error.details || [],
      requestId: error.request_id || requestId,
    });
  }
  return data;
}

export const get = (path, query) => request("GET", path, { query });
export const post = (path, body, query) => request("POST", path, { body, query });

/** One page of a listing: {items, next_token}. */
export function page(path, query, nextToken) {
  return get(path, { ...query, next_token: nextToken });
}

/** Every item of a listing, following next_token (for pickers and counts). */
export async function all(path, query, limit = 500) {
  const items = [];
  let next = null;
  do {
    const result = await get(path, { ...query, limit, next_token: next });
    items.push(...result.items);
    next = result.next_token;
  } while (next);
  return items;
}
