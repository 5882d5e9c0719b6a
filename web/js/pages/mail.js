// Captured mail (local stack): what the notifications job sent, never delivered anywhere.
import * as api from "../api.js";
import { fmtDateTime } from "../format.js";
import { t } from "../i18n.js";
import { errorBox, field, h, loading } from "../ui.js";

export async function render(ctx) {
  const { root, query } = ctx;
  root.append(h("h1", {}, t("mail_title")));
  const day = h("input", { type: "date", name: "day", value: query.day || new Date().toISOString().slice(0, 10) });
  const form = h("form", { class: "filters" }, field(t("mail_day"), day), h("button", { type: "submit" }, t("show")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    ctx.setQuery({ ...query, day: day.value });
  });
  const body = h("section", { "aria-busy": "true" }, loading());
  root.append(form, body);
  try {
    const data = await api.get("/admin/mail", { day: day.value, limit: 200 });
    const items = data.items.map((m) =>
      h(
        "details",
        { class: "mail", "data-kind": m.kind },
        h("summary", {}, `${t(`mail_kind_${m.kind}`)} · ${m.recipient} · ${m.subject}`),
        h("p", { class: "muted" }, `${t("status")}: ${m.status} · ${fmtDateTime(m.created_at)}`),
        m.text ? h("pre", { class: "mail-text" }, m.text) : h("p", {}, t("mail_no_body")),
      ),
    );
    body.replaceChildren(
      h("p", { class: "muted" }, data.capture ? t("mail_captured_note") : t("mail_sent_note")),
      h("p", {}, t("mail_count", { n: data.items.length })),
      ...items,
    );
  } catch (error) {
    body.replaceChildren(errorBox(error));
  } finally {
    body.setAttribute("aria-busy", "false");
  }
}
