// A unit's e-mail contacts (registry data) and the kinds of mail each accepts.
import * as api from "../api.js";
import { t } from "../i18n.js";
import { announce, errorBox, field, h, loading, table } from "../ui.js";

const KINDS = ["digest", "reminder", "status", "alert"];

export async function render(ctx) {
  const { root, session, query } = ctx;
  root.append(h("h1", {}, t("contacts_title")));
  const unit = h("input", { type: "text", name: "unit", value: query.unit || session.unitId || "" });
  const form = h("form", { class: "filters" }, field(t("unit_id"), unit), h("button", { type: "submit" }, t("show")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    ctx.setQuery({ ...query, unit: unit.value });
  });
  const body = h("section", { "aria-busy": "true" }, loading());
  root.append(form, body);
  if (!unit.value) {
    body.replaceChildren(h("p", { class: "notice" }, t("contacts_pick_unit")));
    return;
  }
  const canEdit = session.role === "province_admin" || session.role === "unit_officer";
  try {
    const data = await api.get(`/units/${encodeURIComponent(unit.value)}/contacts`);
    const columns = [
      { label: t("contacts_email"), cell: (c) => c.email },
      { label: t("contacts_role"), cell: (c) => t(`contact_role_${c.role}`) },
      { label: t("contacts_suppressed"), cell: (c) => (c.suppressed ? t("yes") : t("no")) },
      {
        label: t("contacts_receives"),
        cell: (c) => {
          const boxes = KINDS.map((k) => {
            const box = h("input", { type: "checkbox", name: k, checked: !c.unsubscribed.includes(k), disabled: !canEdit });
            return h("label", { class: "check" }, box, ` ${t(`mail_kind_${k}`)}`);
          });
          const save = h("button", { type: "submit", hidden: !canEdit }, t("save"));
          const prefs = h("form", { class: "prefs" }, h("fieldset", {}, h("legend", {}, c.email), ...boxes), save);
          prefs.addEventListener("submit", async (event) => {
            event.preventDefault();
            const unsubscribed = KINDS.filter((k) => !prefs.elements[k].checked);
            try {
              await api.request("PUT", `/units/${encodeURIComponent(unit.value)}/contact-preferences`, { body: { email: c.email, unsubscribed } });
              announce(t("saved"));
            } catch (error) {
              prefs.append(errorBox(error));
            }
          });
          return prefs;
        },
      },
    ];
    body.replaceChildren(data.items.length ? table(columns, data.items) : h("p", {}, t("contacts_empty")));
  } catch (error) {
    body.replaceChildren(errorBox(error));
  } finally {
    body.setAttribute("aria-busy", "false");
  }
}
