// Initiatives (sáng kiến): a unit registers one with its evidence (a PDF through the same
// presigned upload as nomination files) and submits it; a member of the initiatives council
// scores each submitted one (or reads why they are recused); the secretary closes the
// assessment and everyone sees the outcomes.
import * as api from "../api.js";
import { fmtDate, fmtNumber } from "../format.js";
import { words } from "../public/shell.js";
import { act, errorBox, field, h, loading, nextId } from "../ui.js";
import { uploadToS3 } from "./nomination.js";

const t = words({
  vi: {
    title: "Sáng kiến",
    register: "Đăng ký sáng kiến",
    unit: "Đơn vị",
    name_title: "Tên sáng kiến",
    description: "Nội dung đã thực hiện",
    benefit: "Hiệu quả mang lại (có số liệu nếu có)",
    applied_from: "Ngày áp dụng lần đầu",
    author_official: "Tác giả (mã cán bộ; để trống: tác giả là tập thể đơn vị)",
    create: "Tạo bản nháp",
    evidence: "Minh chứng (PDF)",
    upload: "Tải lên",
    uploaded: "Đã tải lên {name}; hệ thống đang kiểm tra tệp.",
    submit: "Nộp",
    submitted_ok: "Đã nộp sáng kiến.",
    status: "Trạng thái",
    st_draft: "Nháp",
    st_submitted: "Đã nộp, chờ hội đồng chấm",
    st_recognised: "Được công nhận",
    st_not_recognised: "Không được công nhận",
    authors: "Tác giả",
    files: "Tệp",
    score_title: "Chấm điểm",
    recused: "Bạn không chấm sáng kiến này: {why}.",
    why_author: "bạn là tác giả",
    why_author_unit: "bạn là cán bộ của đơn vị tác giả",
    points: "{label} (tối đa {max})",
    comment: "Nhận xét",
    save_score: "Lưu điểm",
    my_score: "Điểm của bạn: {n}/100",
    saved: "Đã lưu điểm.",
    scores_received: "{n} thành viên đã chấm (điểm chỉ công bố khi kết thúc).",
    close: "Kết thúc chấm và công bố kết quả",
    closed: "Đã kết thúc: {r} được công nhận, {n} không được công nhận.",
    result: "{in}/{d} thành viên chấm đạt (cần {req}); điểm trung bình {avg}/100.",
    none: "Chưa có sáng kiến nào.",
    no_campaign: "Chưa có phong trào.",
  },
  en: {
    title: "Initiatives",
    register: "Register an initiative",
    unit: "Unit",
    name_title: "Title",
    description: "What was done",
    benefit: "What it changed (with figures where there are some)",
    applied_from: "First applied on",
    author_official: "Author (official id; empty: the unit as a collective author)",
    create: "Create a draft",
    evidence: "Evidence (PDF)",
    upload: "Upload",
    uploaded: "{name} uploaded; it is being checked.",
    submit: "Submit",
    submitted_ok: "Initiative submitted.",
    status: "Status",
    st_draft: "Draft",
    st_submitted: "Submitted, awaiting the council",
    st_recognised: "Recognised",
    st_not_recognised: "Not recognised",
    authors: "Authors",
    files: "Files",
    score_title: "Score",
    recused: "You do not score this initiative: {why}.",
    why_author: "you are an author",
    why_author_unit: "you are an officer of an author's unit",
    points: "{label} (at most {max})",
    comment: "Comment",
    save_score: "Save score",
    my_score: "Your score: {n}/100",
    saved: "Score saved.",
    scores_received: "{n} members have scored (scores are published at the close).",
    close: "Close the assessment and publish the results",
    closed: "Closed: {r} recognised, {n} not recognised.",
    result: "{in}/{d} members scored it a pass ({req} needed); average {avg}/100.",
    none: "No initiative yet.",
    no_campaign: "No campaign yet.",
  },
});

const base = (campaign) => `/campaigns/${encodeURIComponent(campaign.campaign_id)}/initiatives`;

function registerForm(ctx, list) {
  const { session, campaign } = ctx;
  const id = nextId("ini");
  const status = h("div", { role: "status" });
  const unit = h("input", { id: `${id}-unit`, name: "unit_id", value: session.unitId || "", required: true });
  const title = h("input", { id: `${id}-title`, name: "title", required: true, maxlength: "300" });
  const description = h("textarea", { name: "description", required: true, maxlength: "8000" });
  const benefit = h("textarea", { name: "benefit", required: true, maxlength: "8000" });
  const applied = h("input", { type: "date", name: "applied_from", required: true });
  const author = h("input", { name: "author", maxlength: "64" });
  const button = h("button", { type: "submit" }, t("create"));
  const form = h(
    "form",
    { id: "new-initiative" },
    field(t("unit"), unit),
    field(t("name_title"), title),
    field(t("description"), description),
    field(t("benefit"), benefit),
    field(t("applied_from"), applied),
    field(t("author_official"), author),
    h("div", { class: "actions" }, button),
    status,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const authors = author.value.trim() ? [{ official_id: author.value.trim() }] : [{ unit_id: unit.value.trim() }];
    act(button, status, async () => {
      await api.post(base(campaign), {
        unit_id: unit.value.trim(),
        title: title.value,
        description: description.value,
        benefit: benefit.value,
        applied_from: applied.value,
        authors,
      });
      form.reset();
      await drawList(ctx, list);
    });
  });
  return h("details", { class: "create" }, h("summary", {}, t("register")), form);
}

function draftActions(ctx, item, list) {
  const status = h("div", { role: "status" });
  const input = h("input", { type: "file", accept: "application/pdf", id: nextId("file") });
  const upload = h("button", { type: "button", class: "secondary" }, t("upload"));
  upload.addEventListener("click", () =>
    act(upload, status, async () => {
      const file = input.files[0];
      if (!file) return;
      const ticket = await api.post(`/initiatives/${item.initiative_id}/files`, {
        filename: file.name,
        content_type: "application/pdf",
        size: file.size,
        category: "other",
      });
      await uploadToS3(ticket.upload, file, () => {});
      status.replaceChildren(h("p", { class: "success" }, t("uploaded", { name: file.name })));
    }),
  );
  const submit = h("button", { type: "button" }, t("submit"));
  submit.addEventListener("click", () =>
    act(submit, status, async () => {
      await api.post(`/initiatives/${item.initiative_id}/submit`);
      await drawList(ctx, list);
    }),
  );
  return h("div", {}, h("div", { class: "form-row" }, field(t("evidence"), input), upload, submit), status);
}

function scoreForm(ctx, item, list) {
  if (item.recusal) {
    return h("p", { class: "notice recusal" }, t("recused", { why: t(`why_${item.recusal.reason}`) }));
  }
  const status = h("div", { role: "status" });
  const inputs = ctx.campaign.initiative_criteria.map((c) => {
    const input = h("input", { type: "number", min: "0", max: String(c.max_points), step: "1", name: c.key, required: true, value: item.my_score ? String(item.my_score.points[c.key]) : "" });
    return [c, input];
  });
  const comment = h("textarea", { name: "comment", maxlength: "2000" }, item.my_score ? item.my_score.comment : "");
  const button = h("button", { type: "submit" }, t("save_score"));
  const form = h(
    "form",
    { class: "score-form" },
    h("fieldset", {}, h("legend", {}, t("score_title")), h("div", { class: "form-row" }, ...inputs.map(([c, input]) => field(t("points", { label: c[`label_${document.documentElement.lang === "en" ? "en" : "vi"}`], max: c.max_points }), input)))),
    field(t("comment"), comment),
    h("div", { class: "actions" }, button),
    item.my_score ? h("p", {}, t("my_score", { n: item.my_score.total })) : null,
    status,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const points = Object.fromEntries(inputs.map(([c, input]) => [c.key, Number(input.value || 0)]));
    act(button, status, async () => {
      await api.post(`/initiatives/${item.initiative_id}/scores`, { points, comment: comment.value });
      status.replaceChildren(h("p", { class: "success" }, t("saved")));
    });
  });
  return form;
}

function card(ctx, item, list) {
  const { session } = ctx;
  const assessment = item.assessment
    ? h("p", {}, t("result", { in: item.assessment.in_favour, d: item.assessment.denominator, req: item.assessment.required, avg: fmtNumber(item.assessment.average_total, 1) }))
    : null;
  const parts = [
    h("h3", {}, item.title),
    h("p", { class: "muted" }, `${item.unit_name} · ${t("applied_from")}: ${fmtDate(item.applied_from)}`),
    h("p", {}, `${t("status")}: `, h("strong", {}, t(`st_${item.status}`))),
    h("p", {}, `${t("authors")}: ${item.authors.map((a) => a.name).join(", ")}`),
    h("p", { class: "summary" }, item.benefit),
    assessment,
  ];
  if (item.status === "draft" && ["province_admin", "unit_officer"].includes(session.role)) parts.push(draftActions(ctx, item, list));
  if (item.status === "submitted" && session.role === "council_member") parts.push(scoreForm(ctx, item, list));
  if (item.status === "submitted" && item.scores_received != null) parts.push(h("p", { class: "muted" }, t("scores_received", { n: item.scores_received })));
  return h("li", { class: "initiative" }, h("article", {}, ...parts));
}

async function drawList(ctx, list) {
  list.replaceChildren(loading());
  try {
    const items = await api.all(base(ctx.campaign));
    list.replaceChildren(items.length ? h("ul", { class: "initiatives" }, ...items.map((i) => card(ctx, i, list))) : h("p", {}, t("none")));
  } catch (error) {
    list.replaceChildren(errorBox(error));
  }
}

function closeButton(ctx, list) {
  const status = h("div", { role: "status" });
  const button = h("button", { type: "button", id: "close-assessment" }, t("close"));
  button.addEventListener("click", () =>
    act(button, status, async () => {
      const closed = await api.post(`${base(ctx.campaign)}/assessment/close`);
      status.replaceChildren(h("p", { class: "success" }, t("closed", { r: closed.recognised, n: closed.not_recognised })));
      await drawList(ctx, list);
    }),
  );
  return h("div", { class: "actions" }, button, status);
}

export async function render(ctx) {
  const { root, session, campaign } = ctx;
  root.append(h("h1", {}, t("title")));
  if (!campaign) {
    root.append(h("p", { class: "notice" }, t("no_campaign")));
    return;
  }
  root.append(h("p", { class: "muted" }, campaign.name));
  const list = h("div", { id: "initiative-list" });
  if (["province_admin", "unit_officer"].includes(session.role)) root.append(registerForm(ctx, list));
  if (session.role === "province_admin" || session.role === "council_member") root.append(closeButton(ctx, list));
  root.append(list);
  await drawList(ctx, list);
}
