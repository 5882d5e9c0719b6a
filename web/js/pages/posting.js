// The public posting (công khai) for province roles: open it (the province admin), see the
// frozen shortlist and the public page's address, read the public's feedback and answer it.
// Feedback is the public's text: it is only ever put on the page as text.
import * as api from "../api.js";
import { fmtDate, fmtDateTime } from "../format.js";
import { words } from "../public/shell.js";
import { act, errorBox, field, h, loading } from "../ui.js";

const t = words({
  vi: {
    title: "Công khai danh sách",
    open: "Mở công khai",
    opens_on: "Ngày bắt đầu",
    working_days: "Số ngày làm việc",
    not_posted: "Chưa công khai danh sách. Danh sách gồm các hồ sơ đã thẩm định đủ điều kiện.",
    window: "Công khai từ {from} đến hết ngày {to} ({n} ngày làm việc, không tính thứ Bảy, Chủ nhật và ngày lễ).",
    state_open: "Đang công khai: còn {n} ngày làm việc.",
    state_scheduled: "Sắp công khai.",
    state_closed: "Đã hết thời gian công khai.",
    public_page: "Trang công khai (không cần đăng nhập)",
    shortlist: "Danh sách đã công khai",
    feedback: "Phản ánh của người dân",
    open_count: "{open}/{total} phản ánh chưa trả lời.",
    from: "Người gửi",
    anonymous: "(không nêu tên)",
    contact: "Liên hệ",
    about: "Về",
    received: "Nhận lúc",
    answer: "Nội dung trả lời",
    resolve: "Trả lời",
    resolved: "Đã trả lời: {note}",
    none: "Chưa có phản ánh.",
    no_campaign: "Chưa có phong trào.",
  },
  en: {
    title: "Public posting",
    open: "Open the posting",
    opens_on: "Opens on",
    working_days: "Working days",
    not_posted: "The shortlist is not posted yet. It holds the nominations appraised eligible.",
    window: "Posted from {from} to the end of {to} ({n} working days, weekends and holidays skipped).",
    state_open: "Open: {n} working days left.",
    state_scheduled: "Opening soon.",
    state_closed: "The posting has closed.",
    public_page: "The public page (no sign-in)",
    shortlist: "The posted shortlist",
    feedback: "The public's feedback",
    open_count: "{open} of {total} feedback items unanswered.",
    from: "From",
    anonymous: "(no name given)",
    contact: "Contact",
    about: "About",
    received: "Received",
    answer: "Answer",
    resolve: "Answer",
    resolved: "Answered: {note}",
    none: "No feedback yet.",
    no_campaign: "No campaign yet.",
  },
});

function openForm(ctx, reload) {
  const status = h("div", { role: "status" });
  const opensOn = h("input", { type: "date", name: "opens_on", required: true });
  const days = h("input", { type: "number", name: "working_days", min: "1", max: "60", value: "5", required: true });
  const button = h("button", { type: "submit" }, t("open"));
  const form = h("form", { id: "open-posting", class: "form-row" }, field(t("opens_on"), opensOn), field(t("working_days"), days), h("div", { class: "actions" }, button), status);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    act(button, status, async () => {
      await api.post(`/campaigns/${encodeURIComponent(ctx.campaign.campaign_id)}/posting`, { opens_on: opensOn.value, working_days: Number(days.value) });
      reload();
    });
  });
  return form;
}

function feedbackItem(ctx, item, reload) {
  const parts = [
    h("p", { class: "feedback-text" }, item.text), // text, never markup
    h("p", { class: "muted" }, `${t("about")}: ${item.nominee_name} · ${t("from")}: ${item.name || t("anonymous")}${item.contact ? ` · ${t("contact")}: ${item.contact}` : ""} · ${t("received")}: ${fmtDateTime(item.created_at)}`),
  ];
  if (item.resolution) {
    parts.push(h("p", { class: "success" }, t("resolved", { note: item.resolution.note })));
  } else if (["province_admin", "reviewer"].includes(ctx.session.role)) {
    const note = h("textarea", { name: "note", maxlength: "2000", required: true });
    const status = h("div", { role: "status" });
    const button = h("button", { type: "button" }, t("resolve"));
    button.addEventListener("click", () =>
      act(button, status, async () => {
        await api.post(`/feedback/${encodeURIComponent(item.feedback_id)}/resolve`, { note: note.value });
        reload();
      }),
    );
    parts.push(field(t("answer"), note), h("div", { class: "actions" }, button), status);
  }
  return h("li", { class: "feedback-item" }, h("article", {}, ...parts));
}

export async function render(ctx) {
  const { root, session, campaign } = ctx;
  root.append(h("h1", {}, t("title")));
  if (!campaign) {
    root.append(h("p", { class: "notice" }, t("no_campaign")));
    return;
  }
  root.append(h("p", { class: "muted" }, campaign.name));
  const body = h("div", {}, loading());
  root.append(body);
  const reload = () => render({ ...ctx, root: (root.replaceChildren(), root) });
  let posting;
  try {
    posting = await api.get(`/campaigns/${encodeURIComponent(campaign.campaign_id)}/posting`);
  } catch (error) {
    if (error.status !== 404) {
      body.replaceChildren(errorBox(error));
      return;
    }
    body.replaceChildren(h("p", { class: "notice" }, t("not_posted")), session.role === "province_admin" ? openForm(ctx, reload) : "");
    return;
  }
  const publicUrl = `cong-khai.html?campaign=${encodeURIComponent(campaign.campaign_id)}`;
  const state = t(`state_${posting.state}`, { n: posting.working_days_left });
  const feedback = h("div", {}, loading());
  body.replaceChildren(
    h("p", {}, t("window", { from: fmtDate(posting.opens_on), to: fmtDate(posting.last_day), n: posting.working_days })),
    h("p", { class: "notice" }, state),
    h("p", {}, h("a", { href: publicUrl, target: "_blank", rel: "noopener" }, t("public_page"))),
    h("h2", {}, t("shortlist")),
    h("ol", {}, ...posting.items.map((n) => h("li", {}, `${n.name} (${n.unit_name})`))),
    h("h2", {}, t("feedback")),
    h("p", {}, t("open_count", { open: posting.feedback_open, total: posting.feedback_total })),
    feedback,
  );
  try {
    const items = await api.all(`/campaigns/${encodeURIComponent(campaign.campaign_id)}/feedback`);
    feedback.replaceChildren(items.length ? h("ul", { class: "feedback-list" }, ...items.map((i) => feedbackItem(ctx, i, reload))) : h("p", {}, t("none")));
  } catch (error) {
    feedback.replaceChildren(errorBox(error));
  }
}
