// One nomination: its content (editable while a draft), files uploaded straight to S3 with
// the presigned POST (progress bar, then the verification result), submission before the
// deadline, the review with the quota left, and the audit trail.
import * as api from "../api.js";
import { criterionLabel, t, tCode } from "../i18n.js";
import { deadlineInstant, fmtBytes, fmtDate, fmtDateTime, fmtNumber, fmtPercent, fmtTimeLeft } from "../format.js";
import { act, announce, creativityBlock, errorBox, field, h, inlineError, loading, pagedTable, select, table } from "../ui.js";
import { REVIEWERS, WRITERS, quotasLeft, statusBadge } from "./nominations.js";

const CATEGORIES = ["to_trinh", "bao_cao_thanh_tich", "bien_ban", "other"];
const TYPES = [
  "application/pdf",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  "image/jpeg",
  "image/png",
];
const POLL_MS = 2000;

/** POST the file to S3 with the presigned fields; onProgress(sent, total). */
export function uploadToS3(upload, file, onProgress) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
    form.append("file", file);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", upload.url);
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    });
    xhr.addEventListener("load", () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve();
        return;
      }
      // S3 answers errors in XML: <Message> and <RequestId>.
      const doc = new DOMParser().parseFromString(xhr.responseText || "", "application/xml");
      const text = (tag) => doc.getElementsByTagName(tag)[0]?.textContent || null;
      reject(new api.ApiError({ status: xhr.status, code: text("Code") || "upload_failed", message: `S3: ${text("Message") || `HTTP ${xhr.status}`}`, requestId: text("RequestId") }));
    });
    xhr.addEventListener("error", () => reject(new api.ApiError({ message: t("network_error") })));
    xhr.send(form);
  });
}

function fileStatus(file) {
  const cls = file.status === "verified" ? "met" : file.status === "rejected" ? "missed" : "";
  return h("span", { class: `badge ${cls} file-status`, dataset: { status: file.status } }, t(`file_status_${file.status}`));
}

/** timeZone: the province's (config.json), in which the server closes every deadline. */
function deadlineNotice(campaign, timeZone) {
  if (!campaign.nomination_deadline) return { open: true, node: h("p", { class: "muted" }, t("no_deadline")) };
  const closes = deadlineInstant(campaign.nomination_deadline, timeZone);
  const left = closes.getTime() - Date.now();
  if (left <= 0) return { open: false, node: h("p", { class: "error", role: "status", id: "deadline" }, t("deadline_passed", { date: fmtDate(campaign.nomination_deadline) })) };
  return {
    open: true,
    node: h("p", { class: "notice", id: "deadline" }, t("deadline_left", { date: fmtDate(campaign.nomination_deadline), when: fmtDateTime(closes), left: fmtTimeLeft(left) })),
  };
}

/**
 * The nominee's figures when the dossier was submitted: a unit's rate criteria (config.json
 * `criteria`), or the official's figures that share their keys, and the on-time rate (a
 * figure of units and officials alike, shown for information: not a criterion).
 */
function evidenceList(evidence, criteria) {
  if (!evidence) return null;
  const metrics = evidence.metrics || evidence;
  const rates = [
    ...criteria.filter((c) => c.kind === "rate").map((c) => [c.key, criterionLabel(c)]),
    ["on_time_rate", t("on_time_rate")],
  ].filter(([k]) => k in metrics);
  return h(
    "dl",
    { class: "kv" },
    "score" in evidence ? [h("dt", {}, t("score")), h("dd", {}, fmtNumber(evidence.score, 1))] : null,
    rates.map(([k, label]) => [h("dt", {}, label), h("dd", {}, fmtPercent(metrics[k]))]),
    "processed_total" in metrics ? [h("dt", {}, t("processed_total")), h("dd", {}, fmtNumber(metrics.processed_total))] : null,
    evidence.as_of ? [h("dt", {}, t("as_of")), h("dd", {}, fmtDateTime(evidence.as_of))] : null,
  );
}

export async function render(ctx) {
  const { root, params, session, campaigns } = ctx;
  const id = params[0];
  const base = `/nominations/${encodeURIComponent(id)}`;
  const heading = h("h1", {}, t("nominations_title"));
  root.append(h("p", {}, h("a", { href: "#/nominations" }, `← ${t("nominations_title")}`)), heading);
  let nomination;
  try {
    nomination = await api.get(base);
  } catch (error) {
    root.append(errorBox(error));
    return;
  }
  const campaign = campaigns.find((c) => c.campaign_id === nomination.campaign_id) || ctx.campaign;
  heading.textContent = t("nomination_title", { name: nomination.nominee.name });
  const reload = () => ctx.setQuery(ctx.query);
  const draft = nomination.status === "draft";
  const canWrite = WRITERS.has(session.role);

  root.append(
    h(
      "dl",
      { class: "kv", id: "nomination-facts" },
      h("dt", {}, t("status")), h("dd", {}, statusBadge(nomination.status)),
      h("dt", {}, t("kind")), h("dd", {}, t(`kind_${nomination.kind}`)),
      h("dt", {}, t("nominee")), h("dd", {}, `${nomination.nominee.name}${nomination.nominee.position ? ` – ${nomination.nominee.position}` : ""}`),
      h("dt", {}, t("nominating_unit")), h("dd", {}, nomination.unit_id),
      nomination.nominee_rank && nomination.nominee_rank.rank ? [h("dt", {}, t("nominee_rank")), h("dd", {}, `${nomination.nominee_rank.rank} / ${nomination.nominee_rank.of}`)] : null,
      nomination.return_reason ? [h("dt", {}, t("return_reason")), h("dd", {}, nomination.return_reason)] : null,
      nomination.review ? [h("dt", {}, t("review_result")), h("dd", {}, `${t(nomination.review.decision)} – ${fmtDateTime(nomination.review.at)}${nomination.review.reason ? `: ${nomination.review.reason}` : ""}`)] : null,
      nomination.submitted_at ? [h("dt", {}, t("status_submitted")), h("dd", {}, fmtDateTime(nomination.submitted_at))] : null,
    ),
  );

  // Content: read-only, or an edit form while a draft.
  const summary = h("textarea", { name: "summary", maxlength: "5000" });
  summary.value = nomination.summary;
  const creativity = h("textarea", { name: "creativity", maxlength: "5000" });
  creativity.value = nomination.creativity;
  if (draft && canWrite) {
    const status = h("div");
    const button = h("button", { type: "submit" }, t("save"));
    const form = h("form", { id: "edit-nomination" }, field(t("summary"), summary), field(t("creativity"), creativity), h("div", { class: "actions" }, button), status);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      act(button, status, async () => {
        await api.request("PATCH", base, { body: { summary: summary.value, creativity: creativity.value } });
        status.replaceChildren(h("p", { class: "success", role: "status" }, t("saved")));
      });
    });
    root.append(h("h2", {}, t("edit")), form);
  } else {
    root.append(h("h2", {}, t("summary")), h("p", {}, nomination.summary), h("h2", {}, t("creativity")), h("p", {}, nomination.creativity || "—"));
  }

  // Files.
  const filesBox = h("div", { id: "files" }, loading());
  root.append(h("h2", {}, t("files")), filesBox);
  let pollTimer = null;
  const loadFiles = async () => {
    window.clearTimeout(pollTimer);
    try {
      const files = (await api.get(`${base}/files`)).items;
      filesBox.replaceChildren(
        files.length
          ? table(
              [
                { label: t("category"), cell: (f) => t(`cat_${f.category}`) },
                { label: t("file"), cell: (f) => (f.download_url ? h("a", { href: f.download_url }, f.filename) : f.filename) },
                { label: t("size"), num: true, cell: (f) => fmtBytes(f.size) },
                { label: t("status"), cell: (f) => [fileStatus(f), f.reason ? ` ${f.reason}` : ""] },
                ...(draft && canWrite
                  ? [{ label: t("action"), cell: (f) => h("button", { type: "button", class: "secondary", "aria-label": `${t("delete")} ${f.filename}`, on: { click: () => removeFile(f) } }, t("delete")) }]
                  : []),
              ],
              files,
              { className: "files" },
            )
          : h("p", { class: "muted" }, t("none")),
        h("button", { type: "button", class: "secondary", id: "refresh-files", on: { click: loadFiles } }, t("refresh")),
      );
      // Verification runs after the upload lands: look again while any file is pending.
      if (files.some((f) => f.status === "pending") && ctx.isCurrent()) pollTimer = window.setTimeout(loadFiles, POLL_MS);
    } catch (error) {
      filesBox.replaceChildren(errorBox(error));
    }
  };
  const removeFile = async (file) => {
    try {
      await api.request("DELETE", `${base}/files/${encodeURIComponent(file.file_id)}`);
      loadFiles();
    } catch (error) {
      filesBox.prepend(errorBox(error));
    }
  };
  await loadFiles();

  if (draft && canWrite) {
    const category = select("category", CATEGORIES.map((c) => [c, t(`cat_${c}`)]), "to_trinh");
    const input = h("input", { type: "file", name: "file", accept: ".pdf,.docx,.xlsx,.jpg,.jpeg,.png" });
    const progress = h("progress", { max: "100", value: "0", id: "upload-progress", "aria-label": t("upload"), hidden: true });
    const status = h("div", { id: "upload-status" });
    const button = h("button", { type: "submit" }, t("upload"));
    const form = h("form", { id: "upload-form" }, h("div", { class: "form-row" }, field(t("category"), category), field(t("file"), input)), h("div", { class: "actions" }, button), progress, status);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const file = input.files[0];
      if (!file) {
        inlineError(status, t("choose_file"));
        return;
      }
      if (!TYPES.includes(file.type)) {
        inlineError(status, t("unsupported_type", { type: file.type || file.name }));
        return;
      }
      act(button, status, async () => {
        const ticket = await api.post(`${base}/files`, { filename: file.name, content_type: file.type, size: file.size, category: category.value });
        progress.hidden = false;
        progress.value = 0;
        status.replaceChildren(h("p", { role: "status" }, t("uploading", { name: file.name })));
        await uploadToS3(ticket.upload, file, (sent, total) => {
          progress.value = Math.round((sent / total) * 100);
        });
        progress.value = 100;
        form.reset();
        announce(t("uploaded", { name: file.name }));
        await loadFiles();
        status.replaceChildren(h("p", { class: "success", role: "status" }, t("uploaded", { name: file.name })));
      });
    });
    root.append(h("h3", {}, t("upload_title")), form);

    // Submit.
    const deadline = deadlineNotice(campaign, ctx.config.time_zone);
    const submitStatus = h("div");
    const submit = h("button", { type: "button", id: "submit-nomination", disabled: !deadline.open }, t("submit"));
    submit.addEventListener("click", () =>
      act(submit, submitStatus, async () => {
        await api.post(`${base}/submit`);
        announce(t("submitted"));
        reload();
      }),
    );
    root.append(h("h2", {}, t("submit")), deadline.node, h("p", { class: "muted" }, t("submit_hint")), h("div", { class: "actions" }, submit), submitStatus);
  }

  if (campaign.award_procedure === "council" && REVIEWERS.has(session.role)) {
    const { appraisalStep } = await import("./appraisal.js");
    root.append(await appraisalStep(nomination, base, reload));
  } else if (nomination.status === "submitted" && REVIEWERS.has(session.role)) {
    const quota = h("p", { class: "notice", id: "quota" }, loading());
    const reason = h("textarea", { name: "reason", maxlength: "2000" });
    const status = h("div");
    const buttons = ["approve", "reject", "return"].map((decision) => {
      const button = h("button", { type: "button", class: decision === "approve" ? "" : decision === "reject" ? "danger" : "secondary", dataset: { decision } }, t(decision));
      button.addEventListener("click", () => {
        if (decision !== "approve" && !reason.value.trim()) {
          inlineError(status, t("reason_required"));
          reason.focus();
          return;
        }
        act(button, status, async () => {
          await api.post(`${base}/review`, { decision, reason: reason.value.trim() || null });
          reload();
        });
      });
      return button;
    });
    root.append(h("h2", {}, t("review")), quota, field(t("reason"), reason), h("div", { class: "actions", id: "review-actions" }, buttons), status);
    quotasLeft(campaign)
      .then((q) => quota.replaceChildren(t("quota_left", { n: q[nomination.kind].left, q: q[nomination.kind].quota, kind: t(`kind_${nomination.kind}`).toLowerCase() })))
      .catch((error) => quota.replaceChildren(errorBox(error)));
  }

  if (nomination.evidence) {
    root.append(h("h2", {}, t("evidence")), evidenceList(nomination.evidence, ctx.config.criteria));
    // Creativity as frozen with the evidence: the nominee's initiatives in the campaign.
    if (nomination.evidence.creativity) root.append(h("h3", {}, t("creativity_title")), creativityBlock(nomination.evidence.creativity, { id: "evidence-creativity" }));
  }

  const audit = h("div", { id: "audit" });
  root.append(h("h2", {}, t("audit")), audit);
  await pagedTable(
    audit,
    [
      { label: t("when"), cell: (a) => fmtDateTime(a.at) },
      { label: t("who"), cell: (a) => `${t(`role_${a.actor.role}`)}${a.actor.unit_id ? ` (${a.actor.unit_id})` : ""}` },
      { label: t("action"), cell: (a) => tCode("act", a.action) },
      { label: t("change"), cell: (a) => (a.from_status || a.to_status ? `${a.from_status ? t(`status_${a.from_status}`) : "—"} → ${a.to_status ? t(`status_${a.to_status}`) : "—"}` : "—") },
    ],
    (next) => api.page(`${base}/audit`, { limit: 50 }, next),
  );
}
