// The posted shortlist, for anyone (cong-khai.html?campaign=<id>): the nominees with their
// evidence, the days left, and a feedback form per nominee; once the awards council has
// decided, its result first (GET /public/campaigns/{id}/decision: the lists proposed for the
// award, never a ballot or a count per nominee). Feedback text is shown back only as text
// (textContent), never as markup.
import { fmtDate, fmtDateTime, fmtNumber, fmtPercent } from "../format.js";
import { clear, h, nextId } from "../ui.js";
import { call, campaignParam, errorBox, start, words } from "./shell.js";

const t = words({
  vi: {
    title: "Công khai danh sách đề nghị khen thưởng",
    intro: "Danh sách tập thể, cá nhân được đề nghị tặng Bằng khen sau khi thẩm định. Mọi người có thể gửi phản ánh trong thời gian công khai.",
    window: "Thời gian công khai: từ {from} đến hết ngày {to} ({n} ngày làm việc).",
    left: "Còn {n} ngày làm việc để gửi phản ánh.",
    scheduled: "Chưa đến thời gian công khai: nhận phản ánh từ {from}.",
    closed: "Đã hết thời gian công khai: không nhận thêm phản ánh.",
    no_campaign: "Địa chỉ thiếu mã phong trào (?campaign=...).",
    collective: "Tập thể",
    individual: "Cá nhân",
    unit: "Đơn vị",
    position: "Chức vụ",
    score: "Điểm",
    rank: "Xếp hạng",
    rank_of: "{r}/{of}",
    online: "Xử lý trên mạng",
    signing: "Ký số",
    e_issuance: "Phát hành điện tử",
    coverage: "Đánh giá KPI",
    on_time: "Đúng hạn",
    initiatives: "Sáng kiến được công nhận",
    none: "Không có",
    summary: "Tóm tắt thành tích",
    evidence_as_of: "Số liệu đến {at}",
    feedback: "Gửi phản ánh về {name}",
    text: "Nội dung phản ánh",
    text_hint: "Tối đa 2.000 ký tự.",
    name: "Họ và tên (không bắt buộc)",
    contact: "Số điện thoại hoặc thư điện tử (không bắt buộc)",
    send: "Gửi phản ánh",
    sent: "Đã nhận phản ánh của bạn. Cảm ơn bạn.",
    empty_text: "Hãy nhập nội dung phản ánh.",
    list: "Danh sách",
    result: "Kết quả xét khen thưởng",
    decided: "Hội đồng Thi đua – Khen thưởng đã họp và bỏ phiếu kín ngày {date}: đề nghị tặng Bằng khen cho {n} trong {of} trường hợp được xét.",
    rule: "Tỷ lệ phiếu đồng ý cần đạt: {share} {denominator}.",
    of_members: "tổng số thành viên Hội đồng",
    of_present: "số thành viên dự họp",
    of_votes_cast: "số phiếu bầu",
    collectives: "Tập thể được đề nghị khen thưởng ({n})",
    individuals: "Cá nhân được đề nghị khen thưởng ({n})",
    nobody: "Không có.",
    tally_hash: "Mã kiểm tra kết quả kiểm phiếu (SHA-256): {hash}",
    shortlist_was: "Danh sách đã công khai",
  },
  en: {
    title: "Public posting of the award shortlist",
    intro: "The collectives and individuals proposed for the Certificate of Merit after appraisal. Anyone may send feedback while the posting is open.",
    window: "Posted from {from} to the end of {to} ({n} working days).",
    left: "{n} working days left to send feedback.",
    scheduled: "Not open yet: feedback is taken from {from}.",
    closed: "The posting has closed: no more feedback is taken.",
    no_campaign: "The address names no campaign (?campaign=...).",
    collective: "Collective",
    individual: "Individual",
    unit: "Unit",
    position: "Position",
    score: "Score",
    rank: "Rank",
    rank_of: "{r} of {of}",
    online: "Processed online",
    signing: "Digitally signed",
    e_issuance: "Issued electronically",
    coverage: "KPI evaluation",
    on_time: "On time",
    initiatives: "Recognised initiatives",
    none: "None",
    summary: "Summary of achievements",
    evidence_as_of: "Figures as of {at}",
    feedback: "Send feedback about {name}",
    text: "Your feedback",
    text_hint: "At most 2,000 characters.",
    name: "Name (optional)",
    contact: "Phone or e-mail (optional)",
    send: "Send feedback",
    sent: "Your feedback was received. Thank you.",
    empty_text: "Please write your feedback.",
    list: "Shortlist",
    result: "The award decision",
    decided: "The emulation and commendation council met and voted by secret ballot on {date}: {n} of the {of} nominees considered are proposed for the Certificate of Merit.",
    rule: "Share of agree votes required: {share} of {denominator}.",
    of_members: "all council members",
    of_present: "the members present",
    of_votes_cast: "the votes cast",
    collectives: "Collectives proposed for the award ({n})",
    individuals: "Individuals proposed for the award ({n})",
    nobody: "None.",
    tally_hash: "Tally check code (SHA-256): {hash}",
    shortlist_was: "The posted shortlist",
  },
});

function figures(ev) {
  const rows = [
    [t("score"), ev.score == null ? "—" : fmtNumber(ev.score, 1)],
    [t("rank"), ev.rank == null ? "—" : t("rank_of", { r: ev.rank, of: ev.of ?? "—" })],
  ];
  for (const [key, label] of [["online_rate", "online"], ["signing_rate", "signing"], ["e_issuance_rate", "e_issuance"], ["kpi_coverage", "coverage"], ["on_time_rate", "on_time"]]) {
    if (key in ev) rows.push([t(label), fmtPercent(ev[key])]);
  }
  return h("dl", { class: "figures" }, ...rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

function feedbackForm(campaignId, nominee, open) {
  const id = nextId("fb");
  const status = h("div", { role: "status", "aria-live": "polite" });
  const text = h("textarea", { id: `${id}-text`, name: "text", maxlength: "2000", required: true, "aria-describedby": `${id}-hint` });
  const name = h("input", { id: `${id}-name`, name: "name", maxlength: "200", autocomplete: "name" });
  const contact = h("input", { id: `${id}-contact`, name: "contact", maxlength: "200", autocomplete: "email" });
  const button = h("button", { type: "submit" }, t("send"));
  const form = h(
    "form",
    { class: "feedback-form", novalidate: true },
    h("div", { class: "field" }, h("label", { for: text.id }, t("text")), h("span", { class: "hint", id: `${id}-hint` }, t("text_hint")), text),
    h("div", { class: "field" }, h("label", { for: name.id }, t("name")), name),
    h("div", { class: "field" }, h("label", { for: contact.id }, t("contact")), contact),
    h("div", { class: "actions" }, button),
    status,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clear(status);
    if (!text.value.trim()) {
      clear(status, h("p", { class: "error", role: "alert" }, t("empty_text")));
      text.focus();
      return;
    }
    button.disabled = true;
    try {
      await call("POST", `/public/campaigns/${encodeURIComponent(campaignId)}/shortlist/${encodeURIComponent(nominee.nomination_id)}/feedback`, {
        text: text.value,
        name: name.value,
        contact: contact.value,
      });
      form.reset();
      clear(status, h("p", { class: "success" }, t("sent")));
    } catch (error) {
      clear(status, errorBox(error));
    } finally {
      button.disabled = false;
    }
  });
  if (!open) return null;
  return h("details", { class: "feedback" }, h("summary", {}, t("feedback", { name: nominee.name })), form);
}

function nomineeCard(campaignId, n, open) {
  const initiatives = n.initiatives.length
    ? h("ul", {}, ...n.initiatives.map((i) => h("li", {}, i.title)))
    : h("p", {}, t("none"));
  return h(
    "li",
    { class: "nominee" },
    h(
      "article",
      { "aria-labelledby": `n-${n.nomination_id}` },
      h("h3", { id: `n-${n.nomination_id}` }, n.name),
      h("p", { class: "muted" }, `${t(n.kind)} · ${n.position ? `${n.position} · ` : ""}${n.unit_name}`),
      figures(n.evidence),
      n.evidence.as_of ? h("p", { class: "muted" }, t("evidence_as_of", { at: fmtDateTime(n.evidence.as_of) })) : null,
      h("h4", {}, t("initiatives")),
      initiatives,
      h("h4", {}, t("summary")),
      h("p", { class: "summary" }, n.summary),
      feedbackForm(campaignId, n, open),
    ),
  );
}

/** The council's decision, or null before it (404: the API says nothing about a meeting
 * that has not decided). */
async function decisionOf(campaignId) {
  try {
    return await call("GET", `/public/campaigns/${encodeURIComponent(campaignId)}/decision`);
  } catch (error) {
    if (error.status === 404) return null;
    throw error;
  }
}

function awardees(title, people) {
  const list = people.length
    ? h(
        "ol",
        { class: "awardees" },
        ...people.map((p) => h("li", {}, p.name, p.position || p.unit_name ? h("span", { class: "muted" }, ` – ${[p.position, p.unit_name].filter(Boolean).join(", ")}`) : null)),
      )
    : h("p", {}, t("nobody"));
  return [h("h3", {}, title), list];
}

function decisionSection(decision) {
  const collectives = decision.approved.collective || [];
  const individuals = decision.approved.individual || [];
  const share = decision.rule.share == null ? "—" : fmtPercent(decision.rule.share);
  const denominator = t(`of_${decision.rule.denominator || "members"}`);
  return h(
    "section",
    { class: "decision", "aria-labelledby": "decision-title" },
    h("h2", { id: "decision-title" }, t("result")),
    h("p", { class: "notice" }, t("decided", { date: fmtDate(decision.decided_on), n: collectives.length + individuals.length, of: decision.nominees_considered })),
    h("p", {}, t("rule", { share, denominator })),
    ...awardees(t("collectives", { n: collectives.length }), collectives),
    ...awardees(t("individuals", { n: individuals.length }), individuals),
    decision.tally_sha256 ? h("p", { class: "muted hash" }, t("tally_hash", { hash: decision.tally_sha256 })) : null,
  );
}

async function render(main) {
  const campaignId = campaignParam();
  document.title = `${t("title")} – Không Giấy`;
  if (!campaignId) {
    clear(main, h("h1", {}, t("title")), h("p", { class: "error", role: "alert" }, t("no_campaign")));
    return;
  }
  const [shortlist, decision] = await Promise.all([
    call("GET", `/public/campaigns/${encodeURIComponent(campaignId)}/shortlist`),
    decisionOf(campaignId),
  ]);
  const open = shortlist.state === "open";
  const state =
    shortlist.state === "open"
      ? h("p", { class: "notice" }, t("left", { n: shortlist.working_days_left }))
      : shortlist.state === "scheduled"
        ? h("p", { class: "notice" }, t("scheduled", { from: fmtDateTime(shortlist.opens_at) }))
        : h("p", { class: "notice" }, t("closed"));
  clear(
    main,
    h("h1", {}, t("title")),
    h("p", { class: "lead" }, shortlist.campaign_name),
    h("p", {}, t("intro")),
    h("p", {}, t("window", { from: fmtDate(shortlist.opens_on), to: fmtDate(shortlist.last_day), n: shortlist.working_days })),
    state,
    decision ? decisionSection(decision) : null,
    h("h2", {}, t(decision ? "shortlist_was" : "list")),
    h("ol", { class: "shortlist" }, ...shortlist.items.map((n) => nomineeCard(campaignId, n, open))),
  );
}

start(render);
