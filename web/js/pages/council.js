// The awards council's meeting. Members, on a phone in the meeting room: one screen per
// step (waiting, the ballot over the shortlist with each nominee's evidence one tap away,
// confirm, "your ballot is in"), large controls. The secretary (or a province admin):
// attendance, written votes, quorum, open, close, runoff, documents. Others: read only.
import * as api from "../api.js";
import { t } from "../i18n.js";
import { fmtBytes, fmtPercent } from "../format.js";
import { announce, errorBox, h, loading, table } from "../ui.js";

const KINDS = ["collective", "individual"];

function meetingPath(meeting, tail = "") {
  return `/meetings/${encodeURIComponent(meeting.meeting_id)}${tail}`;
}

function isSecretary(ctx, meeting) {
  return ctx.session.role === "province_admin" || (meeting && meeting.you.council_role === "secretary");
}

function nomineeName(n) {
  return n.kind === "individual" && n.unit_name ? `${n.name} – ${n.unit_name}` : n.name;
}

function evidence(n) {
  return h(
    "details",
    { class: "evidence" },
    h("summary", {}, t("cm_evidence")),
    h(
      "dl",
      { class: "kv" },
      h("dt", {}, t("cm_kind")), h("dd", {}, t(`cm_kind_${n.kind}`)),
      n.position ? [h("dt", {}, t("cm_position")), h("dd", {}, n.position)] : null,
      h("dt", {}, t("cm_unit")), h("dd", {}, n.unit_name || n.unit_id || "—"),
      h("dt", {}, t("cm_kpi_rank")), h("dd", {}, n.kpi_rank ?? "—"),
      h("dt", {}, t("cm_score")), h("dd", {}, n.score == null ? "—" : String(n.score)),
    ),
    n.summary ? h("p", {}, n.summary) : null,
  );
}

// --- the member's screens ----------------------------------------------------------------

function ballotScreen(ctx, meeting, box) {
  const nominees = meeting.ballot_nominees.map((id) => meeting.shortlist.find((n) => n.nomination_id === id));
  const runoff = meeting.round > 1;
  const form = h("form", { class: "ballot", id: "ballot-form", novalidate: true });
  const problem = h("div", {});
  for (const n of nominees) {
    const name = `c-${n.nomination_id}`;
    form.append(
      h(
        "fieldset",
        { class: "nominee" },
        h("legend", {}, nomineeName(n)),
        evidence(n),
        h(
          "div",
          { class: "choices" },
          ["agree", "disagree"].map((choice) =>
            h("label", { class: `choice ${choice}` }, h("input", { type: "radio", name, value: choice, required: true }), t(`cm_${choice}`)),
          ),
        ),
      ),
    );
  }
  const next = h("button", { type: "submit", class: "big" }, t("cm_review_ballot"));
  form.append(problem, h("div", { class: "actions" }, next));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const choices = {};
    for (const n of nominees) {
      const picked = form.querySelector(`input[name="c-${n.nomination_id}"]:checked`);
      if (!picked) {
        problem.replaceChildren(h("div", { class: "error", role: "alert" }, h("p", {}, t("cm_choose_each", { name: nomineeName(n) }))));
        form.querySelector(`input[name="c-${n.nomination_id}"]`).focus();
        return;
      }
      choices[n.nomination_id] = picked.value;
    }
    confirmScreen(ctx, meeting, box, nominees, choices);
  });
  box.replaceChildren(
    h("h2", {}, runoff ? t("cm_runoff_ballot", { n: meeting.round - 1 }) : t("cm_ballot")),
    h("p", {}, runoff ? t("cm_runoff_hint", { seats: seatsText(meeting.seats) }) : t("cm_ballot_hint")),
    form,
  );
  box.querySelector("h2").focus?.();
}

function seatsText(seats) {
  return Object.entries(seats || {}).map(([k, v]) => `${v} ${t(`cm_kind_${k}`)}`).join(", ");
}

function confirmScreen(ctx, meeting, box, nominees, choices) {
  const send = h("button", { type: "button", class: "big", id: "cast-ballot" }, t("cm_cast"));
  const back = h("button", { type: "button", class: "secondary big" }, t("cm_change"));
  const status = h("div", {});
  back.addEventListener("click", () => ballotScreen(ctx, meeting, box));
  send.addEventListener("click", async () => {
    send.disabled = true;
    try {
      await api.post(meetingPath(meeting, "/ballots"), { choices });
      announce(t("cm_ballot_in"));
      await ctx.reload();
    } catch (error) {
      send.disabled = false;
      status.replaceChildren(errorBox(error));
    }
  });
  box.replaceChildren(
    h("h2", { tabindex: "-1" }, t("cm_confirm")),
    h("ul", { class: "confirm-list" }, nominees.map((n) => h("li", {}, h("strong", {}, nomineeName(n)), ": ", t(`cm_${choices[n.nomination_id]}`)))),
    h("p", { class: "muted" }, t("cm_secret_note")),
    status,
    h("div", { class: "actions" }, send, back),
  );
  box.querySelector("h2").focus();
}

function memberScreen(ctx, meeting) {
  const box = h("section", { class: "step", "aria-labelledby": "step-title" });
  const you = meeting.you;
  const say = (title, text) => box.replaceChildren(h("h2", { id: "step-title" }, title), text ? h("p", {}, text) : "");
  if (meeting.status === "decided") say(t("cm_decided"), t("cm_decided_hint"));
  else if (meeting.status === "runoff_required") say(t("cm_wait_runoff"), t("cm_wait_hint"));
  else if (meeting.status === "preparing") say(t("cm_wait_open"), you.present ? t("cm_you_present") : t("cm_wait_hint"));
  else if (!you.present) say(t("cm_not_present"), t("cm_not_present_hint"));
  else if (you.voted) {
    say(t("cm_ballot_in"), t("cm_ballots_in", { n: meeting.ballots_in, of: meeting.members.filter((m) => m.present).length }));
    box.classList.add("done");
  } else ballotScreen(ctx, meeting, box);
  return box;
}

// --- the secretary's view ----------------------------------------------------------------

function attendanceForm(ctx, meeting) {
  const form = h("form", { id: "attendance-form" });
  const list = h("fieldset", {}, h("legend", {}, t("cm_attendance")));
  for (const m of meeting.members) {
    list.append(
      h("label", { class: "check big-check" },
        h("input", { type: "checkbox", name: "present", value: m.sub, checked: m.present === true, disabled: m.written_vote }),
        `${m.full_name} (${t(`cm_role_${m.council_role}`)})`, m.written_vote ? ` – ${t("cm_has_written")}` : ""),
    );
  }
  const status = h("div", {});
  form.append(list, status, h("div", { class: "actions" }, h("button", { type: "submit" }, t("cm_save_attendance"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const present = [...form.querySelectorAll("input[name=present]:checked")].map((i) => i.value);
    try {
      await api.request("PUT", meetingPath(meeting, "/attendance"), { body: { present } });
      announce(t("cm_saved"));
      await ctx.reload();
    } catch (error) {
      status.replaceChildren(errorBox(error));
    }
  });
  return form;
}

function readBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(",")[1] || "");
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

function writtenVoteForm(ctx, meeting) {
  const absent = meeting.members.filter((m) => m.present === false && !m.written_vote);
  if (!meeting.attendance_recorded || !absent.length) return null;
  const who = h("select", { name: "member_sub", id: "wv-member" }, absent.map((m) => h("option", { value: m.sub }, m.full_name)));
  const form = h("form", { id: "written-vote-form" }, h("h3", {}, t("cm_written_vote")), h("div", { class: "field" }, h("label", { for: "wv-member" }, t("cm_absent_member")), who));
  for (const id of meeting.ballot_nominees) {
    const n = meeting.shortlist.find((x) => x.nomination_id === id);
    form.append(
      h("fieldset", { class: "nominee" }, h("legend", {}, nomineeName(n)),
        h("div", { class: "choices" }, ["agree", "disagree"].map((c) => h("label", { class: `choice ${c}` }, h("input", { type: "radio", name: `w-${id}`, value: c, required: true }), t(`cm_${c}`))))),
    );
  }
  const file = h("input", { type: "file", id: "wv-file", accept: "application/pdf,image/jpeg,image/png", required: true });
  const status = h("div", {});
  form.append(h("div", { class: "field" }, h("label", { for: "wv-file" }, t("cm_scan")), file), status, h("div", { class: "actions" }, h("button", { type: "submit" }, t("cm_record_written"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const choices = {};
      for (const id of meeting.ballot_nominees) {
        const picked = form.querySelector(`input[name="w-${id}"]:checked`);
        if (!picked) throw new Error(t("cm_choose_each", { name: nomineeName(meeting.shortlist.find((x) => x.nomination_id === id)) }));
        choices[id] = picked.value;
      }
      const scan = file.files[0];
      if (!scan) throw new Error(t("cm_scan_missing"));
      const data = await readBase64(scan);
      await api.post(meetingPath(meeting, "/written-votes"), {
        member_sub: who.value, choices, file: { filename: scan.name, content_type: scan.type || "application/pdf", data },
      });
      announce(t("cm_saved"));
      await ctx.reload();
    } catch (error) {
      status.replaceChildren(errorBox(error));
    }
  });
  return form;
}

function actionButton(ctx, meeting, action, label) {
  const status = h("div", {});
  const button = h("button", { type: "button", class: "big", id: `meeting-${action}` }, label);
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await api.post(meetingPath(meeting, `/${action}`));
      await ctx.reload();
    } catch (error) {
      button.disabled = false;
      status.replaceChildren(errorBox(error));
    }
  });
  return h("div", {}, h("div", { class: "actions" }, button), status);
}

function tallyTable(meeting) {
  const tally = meeting.tally;
  return KINDS.map((kind) =>
    table(
      [
        { label: t("cm_nominee"), cell: (n) => nomineeName(n) },
        { label: t("cm_agree"), num: true, cell: (n) => n.agree },
        { label: t("cm_disagree"), num: true, cell: (n) => n.disagree },
        { label: t("cm_share"), num: true, cell: (n) => (n.share == null ? "—" : fmtPercent(n.share)) },
        { label: t("cm_runoff"), num: true, cell: (n) => (n.runoff_agree.length ? n.runoff_agree.join(", ") : "—") },
        { label: t("cm_result"), cell: (n) => h("span", { class: `badge ${n.result === "approved" ? "met" : "missed"}` }, t(`cm_res_${n.result}`)) },
      ],
      tally.nominees.filter((n) => n.kind === kind),
      { caption: t(`cm_list_${kind}`) },
    ),
  ).filter((_, i) => tally.nominees.some((n) => n.kind === KINDS[i]));
}

async function documentsList(meeting) {
  const box = h("section", { id: "meeting-documents" }, h("h2", {}, t("cm_documents")));
  try {
    const docs = await api.get(meetingPath(meeting, "/documents"));
    if (docs.status !== "ready") {
      box.append(h("p", { class: "notice", role: "status" }, t("cm_documents_pending")));
      return box;
    }
    box.append(h("ul", { class: "documents" }, docs.items.map((d) =>
      h("li", {}, h("a", { href: d.url, download: d.name }, `${t(`cm_doc_${d.kind}`)} (${d.format.toUpperCase()}, ${fmtBytes(d.size)})`)))));
    box.append(h("p", { class: "muted" }, `${t("cm_tally_hash")}: `, h("code", {}, docs.tally_sha256)));
  } catch (error) {
    box.append(errorBox(error));
  }
  return box;
}

function overview(meeting) {
  const present = meeting.members.filter((m) => m.present).length;
  return h(
    "div",
    { class: "cards" },
    h("div", { class: "card" }, h("span", { class: "figure" }, t(`cm_status_${meeting.status}`)), h("span", { class: "label" }, t("cm_status"))),
    h("div", { class: "card" }, h("span", { class: "figure" }, `${present}/${meeting.members.length}`), h("span", { class: "label" }, t("cm_present_of", { q: meeting.quorum_required }))),
    meeting.status === "voting"
      ? h("div", { class: "card" }, h("span", { class: "figure" }, String(meeting.ballots_in)), h("span", { class: "label" }, t("cm_ballots_count")))
      : null,
  );
}

function secretaryView(ctx, meeting) {
  const parts = [h("h2", {}, t("cm_secretary"))];
  if (meeting.status === "preparing") {
    parts.push(attendanceForm(ctx, meeting), writtenVoteForm(ctx, meeting), actionButton(ctx, meeting, "open", t("cm_open")));
  } else if (meeting.status === "voting") {
    parts.push(
      h("ul", { class: "voters" }, meeting.members.filter((m) => m.present).map((m) => h("li", {}, `${m.full_name}: ${m.voted ? t("cm_has_voted") : t("cm_not_voted")}`))),
      actionButton(ctx, meeting, "close", t("cm_close")),
    );
  } else if (meeting.status === "runoff_required") {
    for (const r of meeting.runoffs) {
      const names = r.nominees.map((id) => nomineeName(meeting.shortlist.find((n) => n.nomination_id === id)));
      parts.push(h("p", { class: "notice" }, t("cm_tied", { seats: r.seats, kind: t(`cm_kind_${r.kind}`), names: names.join("; ") })));
    }
    parts.push(actionButton(ctx, meeting, "runoff", t("cm_start_runoff")));
  }
  return h("section", { class: "secretary" }, parts);
}

export async function render(ctx) {
  const { root, campaign, session } = ctx;
  root.replaceChildren(h("h1", {}, t("cm_title")), h("p", { class: "muted" }, campaign ? campaign.name : ""));
  const body = h("div", {}, loading());
  root.append(body);
  const reload = async () => {
    let meeting;
    try {
      meeting = await api.get(`/campaigns/${encodeURIComponent(campaign.campaign_id)}/meetings`);
    } catch (error) {
      if (error.status !== 404) throw error;
      const parts = [h("p", { class: "notice" }, t("cm_no_meeting"))];
      if (session.role === "province_admin" || session.role === "council_member") {
        const status = h("div", {});
        const create = h("button", { type: "button", class: "big", id: "meeting-create" }, t("cm_create"));
        create.addEventListener("click", async () => {
          try {
            await api.post(`/campaigns/${encodeURIComponent(campaign.campaign_id)}/meetings`);
            await reload();
          } catch (e) {
            status.replaceChildren(errorBox(e));
          }
        });
        parts.push(h("div", { class: "actions" }, create), status);
      }
      body.replaceChildren(...parts);
      return;
    }
    const parts = [overview(meeting)];
    if (meeting.you.member) parts.push(memberScreen({ ...ctx, reload }, meeting));
    if (isSecretary(ctx, meeting) && meeting.status !== "decided") parts.push(secretaryView({ ...ctx, reload }, meeting));
    if (meeting.status === "decided") {
      parts.push(h("section", { id: "meeting-tally" }, h("h2", {}, t("cm_tally")), tallyTable(meeting)));
      parts.push(await documentsList(meeting));
    }
    parts.push(h("div", { class: "actions" }, h("button", { type: "button", class: "secondary", id: "meeting-refresh", on: { click: () => reload() } }, t("cm_refresh"))));
    body.replaceChildren(...parts);
  };
  try {
    await reload();
  } catch (error) {
    body.replaceChildren(errorBox(error));
  }
}
