// Freshness: units and document systems that have been silent for more than N hours.
import * as api from "../api.js";
import { t } from "../i18n.js";
import { fmtDateTime, fmtNumber } from "../format.js";
import { errorBox, field, h, loading, table } from "../ui.js";

export async function render(ctx) {
  const { root, query, campaign } = ctx;
  root.append(h("h1", {}, t("freshness_title")));
  if (!campaign) {
    root.append(h("p", { class: "notice" }, t("no_campaign")));
    return;
  }
  const hours = h("input", { type: "number", name: "hours", min: "1", max: "8760", value: query.hours || "", inputmode: "numeric" });
  const form = h("form", { class: "filters" }, field(t("hours"), hours), h("button", { type: "submit" }, t("show")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    ctx.setQuery({ ...query, hours: hours.value });
  });
  const body = h("section", { "aria-busy": "true" }, loading());
  root.append(form, body);
  try {
    const data = await api.get(`/campaigns/${encodeURIComponent(campaign.campaign_id)}/freshness`, { hours: query.hours });
    if (!hours.value) hours.value = String(data.silent_after_hours);
    const last = (x) => (x.last_event_at ? fmtDateTime(x.last_event_at) : t("never"));
    body.replaceChildren(
      h("p", { class: "muted" }, `${t("silent_after", { n: data.silent_after_hours })} · ${t("checked_at")}: ${fmtDateTime(data.checked_at)} · ${t("as_of")}: ${data.as_of ? fmtDateTime(data.as_of) : t("no_data_yet")}`),
      h("h2", {}, `${t("silent_sources")} (${fmtNumber(data.silent_sources.length)})`),
      data.silent_sources.length
        ? table(
            [
              { label: t("source"), cell: (s) => `${s.name} (${s.source_id})` },
              { label: t("last_event"), cell: last },
            ],
            data.silent_sources,
            { className: "silent-sources" },
          )
        : h("p", { class: "success" }, t("none")),
      h("h2", {}, `${t("silent_units")} (${fmtNumber(data.silent_units.length)})`),
      data.silent_units.length
        ? table(
            [
              { label: t("unit"), cell: (u) => h("a", { href: `#/units/${encodeURIComponent(u.unit_id)}` }, u.name) },
              { label: t("level"), cell: (u) => t(`level_${u.level}`) },
              { label: t("last_event"), cell: last },
            ],
            data.silent_units,
            { className: "silent-units" },
          )
        : h("p", { class: "success" }, t("none")),
    );
  } catch (error) {
    body.replaceChildren(errorBox(error));
  } finally {
    body.setAttribute("aria-busy", "false");
  }
}
