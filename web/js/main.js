// The shell: loads config.json, signs in, draws the navigation for the caller's role and
// hands each address (#/page/...) to its page module.
import * as api from "./api.js";
import * as auth from "./auth.js";
import { currentLang, setLang, t } from "./i18n.js";
import { clear, errorBox, h, loading } from "./ui.js";

const PROVINCE_WIDE = new Set(["province_admin", "reviewer", "viewer"]);

// path pattern → page module (loaded on first use) and who may open it.
const ROUTES = [
  { pattern: /^\/?$/, page: "scoreboard" },
  { pattern: /^\/scoreboard$/, page: "scoreboard", nav: "nav_scoreboard" },
  { pattern: /^\/units\/([^/]+)$/, page: "unit" },
  { pattern: /^\/interconnection$/, page: "interconnection", nav: "nav_interconnection", roles: PROVINCE_WIDE },
  { pattern: /^\/freshness$/, page: "freshness", nav: "nav_freshness", roles: PROVINCE_WIDE },
  { pattern: /^\/nominations$/, page: "nominations", nav: "nav_nominations" },
  { pattern: /^\/nominations\/([^/]+)$/, page: "nomination" },
  { pattern: /^\/reports$/, page: "reports", nav: "nav_reports" },
  { pattern: /^\/initiatives$/, page: "initiatives", nav: "nav_initiatives" },
  { pattern: /^\/posting$/, page: "posting", nav: "nav_posting", roles: PROVINCE_WIDE },
  { pattern: /^\/results$/, page: "results", nav: "nav_results", roles: new Set(["province_admin", "reviewer", "viewer", "unit_officer"]) },
  { pattern: /^\/contacts$/, page: "contacts", nav: "nav_contacts", roles: new Set(["province_admin", "reviewer", "viewer", "unit_officer"]) },
  { pattern: /^\/mail$/, page: "mail", nav: "nav_mail", roles: new Set(["province_admin"]) },
  { pattern: /^\/council$/, page: "council", nav: "nav_council", roles: new Set([...PROVINCE_WIDE, "council_member"]) },
  { pattern: /^\/admin$/, page: "admin", nav: "nav_admin", roles: new Set(["province_admin"]) },
  { pattern: /^\/holds$/, page: "holds", nav: "nav_holds", roles: new Set(["province_admin"]) },
];

const state = { config: null, campaigns: null };

function parseHash() {
  const raw = window.location.hash.replace(/^#/, "") || "/";
  const [path, search = ""] = raw.split("?");
  return { path: decodeURIComponent(path), query: Object.fromEntries(new URLSearchParams(search)) };
}

/** Pages change their query (filters) through this, so the address is shareable. */
export function setQuery(query) {
  const { path } = parseHash();
  const search = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== "" && v != null));
  const next = `#${path}${search.toString() ? `?${search}` : ""}`;
  if (next === window.location.hash) route();
  else window.location.hash = next;
}

/** The campaigns, and the one the API shows by default (its rule, on the province's
 * local date: GET /campaigns `default_campaign_id`; the console has none of its own). */
async function campaigns(force = false) {
  if (!state.campaigns || force) {
    const listing = await api.get("/campaigns");
    state.campaigns = listing.items;
    state.defaultCampaign = listing.default_campaign_id;
  }
  return state.campaigns;
}

function drawChrome(session) {
  document.title = `${t("app")} – ${t("nav_scoreboard")}`;
  document.getElementById("skip-link").textContent = t("skip");
  document.getElementById("foot-text").textContent = t("footer");
  const langButton = document.getElementById("lang-switch");
  langButton.textContent = t("other_lang");
  langButton.lang = currentLang() === "vi" ? "en" : "vi";
  const signOut = document.getElementById("sign-out");
  signOut.textContent = t("sign_out");
  signOut.hidden = !session;
  const who = document.getElementById("who");
  who.textContent = session ? `${t(`role_${session.role}`)}${session.unitId ? ` · ${session.unitId}` : ""}` : "";
  const nav = document.getElementById("nav");
  nav.setAttribute("aria-label", t("nav_label"));
  if (!session) {
    nav.replaceChildren();
    return;
  }
  const { path } = parseHash();
  const items = [];
  for (const r of ROUTES) {
    if (!r.nav || (r.roles && !r.roles.has(session.role))) continue;
    const href = `#/${r.page}`;
    items.push(h("li", {}, h("a", { href, "aria-current": path === `/${r.page}` || (path === "/" && r.page === "scoreboard") ? "page" : null }, t(r.nav))));
    if (r.page === "scoreboard" && session.unitId) {
      const own = `/units/${session.unitId}`;
      items.push(h("li", {}, h("a", { href: `#${own}`, "aria-current": path === own ? "page" : null }, t("nav_unit"))));
    }
  }
  nav.replaceChildren(h("ul", {}, items));
}

let generation = 0;
let shownPath = null;

/** Screen readers are told the page changed: focus goes to the new page's heading on every
 * route change (a filter change on the same page keeps the user's focus where it is). */
function focusHeading(container, path) {
  const moved = path !== shownPath;
  shownPath = path;
  const heading = container.querySelector("h1");
  if (!heading || !moved || container.contains(document.activeElement)) return;
  heading.setAttribute("tabindex", "-1");
  heading.focus();
}

async function route() {
  const session = auth.session();
  if (!session) {
    auth.signIn({ expired: Boolean(sessionStorage.getItem("kg.token")) });
    return;
  }
  drawChrome(session);
  const main = document.getElementById("main");
  const { path, query } = parseHash();
  const match = ROUTES.map((r) => [r, path.match(r.pattern)]).find(([, m]) => m);
  const mine = ++generation;
  if (!match) {
    clear(main, h("div", { class: "page" }, h("h1", {}, t("not_found_page"))));
    focusHeading(main, path);
    return;
  }
  const [spec, groups] = match;
  if (spec.roles && !spec.roles.has(session.role)) {
    clear(main, h("div", { class: "page" }, h("h1", {}, t(spec.nav)), h("div", { class: "error", role: "alert" }, h("p", {}, t("forbidden_page")))));
    focusHeading(main, path);
    return;
  }
  clear(main, loading());
  try {
    const list = await campaigns();
    const module = await import(`./pages/${spec.page}.js`);
    if (mine !== generation) return; // the user moved on
    // A campaign chosen once stays chosen in this tab (pages' own links omit it).
    if (query.campaign) sessionStorage.setItem("kg.campaign", query.campaign);
    const wanted = query.campaign || sessionStorage.getItem("kg.campaign");
    const selected =
      list.find((c) => c.campaign_id === wanted) || list.find((c) => c.campaign_id === state.defaultCampaign) || null;
    const root = h("div", { class: `page page-${spec.page}` });
    main.replaceChildren(root);
    await module.render({
      root,
      params: groups.slice(1).map(decodeURIComponent),
      query,
      session,
      campaign: selected,
      campaigns: list,
      config: state.config,
      setQuery,
      refreshCampaigns: () => campaigns(true),
      isCurrent: () => mine === generation,
    });
    const heading = root.querySelector("h1");
    if (heading) document.title = `${heading.textContent} – ${t("app")}`;
    if (mine === generation) focusHeading(root, path);
  } catch (error) {
    if (mine === generation) {
      // The page could not be drawn: its failure, in words, is where focus goes.
      const box = errorBox(error);
      main.replaceChildren(box);
      box.focus();
    }
  }
}

async function start() {
  setLang(currentLang());
  const main = document.getElementById("main");
  try {
    const response = await fetch("config.json", { cache: "no-store" });
    if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
    state.config = await response.json();
  } catch (error) {
    main.replaceChildren(errorBox({ message: `config.json: ${error.message}` }));
    return;
  }
  auth.configure(state.config);
  api.configure(state.config);
  document.getElementById("lang-switch").addEventListener("click", () => {
    setLang(currentLang() === "vi" ? "en" : "vi");
    route();
  });
  document.getElementById("sign-out").addEventListener("click", () => auth.signOut());
  try {
    const back = await auth.completeSignIn();
    if (back) window.location.hash = back;
  } catch (error) {
    main.replaceChildren(errorBox(error));
    return;
  }
  const back = auth.takeReturn();
  if (back && auth.session() && back !== window.location.hash) {
    window.location.hash = back;
  }
  window.addEventListener("hashchange", route);
  route();
}

start();
