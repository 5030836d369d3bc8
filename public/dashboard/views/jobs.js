// Jobs, newest first, filtered by status, model and batch (kept in the address, so a filtered
// list can be bookmarked), a page at a time over the cursor API. Unfinished jobs update live.
import { api, followJob, isTerminal } from "../api.js";
import { costText, eta, queueText, statusBadge, thumbnail } from "../components.js";
import { fill, h } from "../dom.js";
import { ago, when } from "../format.js";

const STATUSES = ["queued", "running", "copying", "succeeded", "failed", "canceled"];
/** Live streams at once: browsers allow about six HTTP/1.1 connections per origin, and the page needs some for itself. */
const MAX_STREAMS = 3;
const POLL_MS = 4000;

export async function jobsView(main, { query, signal, modelList, batchId: fixedBatch, heading = true, container }) {
  const models = await modelList();
  const filter = {
    status: query.get("status") ?? "",
    model: query.get("model") ?? "",
    batchId: fixedBatch ?? query.get("batchId") ?? "",
    tag: query.get("tag") ?? "",
  };
  // page size: 20, or `limit` in the address (1–100, as the API takes it)
  const limit = /^\d{1,3}$/.test(query.get("limit") ?? "") ? query.get("limit") : "20";
  const list = h("ol", { class: "jobs", "aria-label": "Jobs, newest first" });
  const more = h("button", { type: "button", class: "quiet", hidden: true, text: "Load more" });
  const empty = h("p", { class: "muted", hidden: true, text: "No jobs yet." });
  const form = filters(filter, models, !fixedBatch);
  const root = container ?? main;
  fill(root, heading ? h("h1", { tabindex: "-1", text: "Jobs" }) : null, form, empty, list, more);

  const rows = new Map();
  const live = liveUpdates(signal, (job) => rows.get(job.id)?.(job));
  let cursor = null;

  async function load(next) {
    const params = new URLSearchParams({ limit });
    for (const [k, v] of Object.entries(filter)) if (v) params.set(k, v);
    if (next) params.set("cursor", next);
    const page = await api(`/v1/jobs?${params}`, { signal });
    for (const job of page.data) {
      if (rows.has(job.id)) continue;
      const li = h("li");
      const render = (j) => fill(li, jobRow(j));
      render(job);
      rows.set(job.id, render);
      list.append(li);
      live.watch(job);
    }
    cursor = page.nextCursor;
    more.hidden = !cursor;
    empty.hidden = rows.size > 0;
  }
  more.addEventListener("click", () => load(cursor).then(() => list.lastElementChild?.querySelector("a")?.focus()));
  await load(null);

  // jobs created elsewhere (another tab, a schedule) show up at the top while the view is open
  const timer = setInterval(async () => {
    const params = new URLSearchParams({ limit });
    for (const [k, v] of Object.entries(filter)) if (v) params.set(k, v);
    const page = await api(`/v1/jobs?${params}`, { signal }).catch(() => null);
    if (!page) return;
    for (const job of [...page.data].reverse()) {
      if (rows.has(job.id)) {
        if (!live.streaming(job.id)) rows.get(job.id)(job);
        continue;
      }
      const li = h("li");
      const render = (j) => fill(li, jobRow(j));
      render(job);
      rows.set(job.id, render);
      list.prepend(li);
      live.watch(job);
      empty.hidden = true;
    }
  }, POLL_MS);
  signal.addEventListener("abort", () => clearInterval(timer));
}

function filters(filter, models, withBatch) {
  const apply = (event) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const params = new URLSearchParams();
    for (const [k, v] of data) if (v) params.set(k, String(v));
    location.hash = `#/jobs${params.size ? `?${params}` : ""}`;
  };
  const select = (name, label, values, current) =>
    h(
      "label",
      {},
      label,
      h(
        "select",
        { name, onchange: (e) => e.target.form.requestSubmit() },
        h("option", { value: "", text: "any" }),
        values.map((v) => h("option", { value: v, text: v, selected: v === current })),
      ),
    );
  return h(
    "form",
    { class: "filters", role: "search", "aria-label": "Filter jobs", onsubmit: apply },
    select("status", "Status", STATUSES, filter.status),
    select(
      "model",
      "Model",
      models.map((m) => m.id),
      filter.model,
    ),
    withBatch
      ? h(
          "label",
          {},
          "Batch",
          h("input", {
            name: "batchId",
            value: filter.batchId,
            placeholder: "batch_…",
            spellcheck: "false",
            size: "26",
          }),
        )
      : h("input", { type: "hidden", name: "batchId", value: filter.batchId }),
    withBatch
      ? h(
          "label",
          {},
          "Tag",
          h("input", {
            name: "tag",
            value: filter.tag,
            placeholder: "campaign:spring",
            spellcheck: "false",
            size: "18",
          }),
        )
      : null,
    withBatch ? h("button", { type: "submit", text: "Filter" }) : null,
  );
}

export function jobRow(job) {
  const detail = [queueText(job), job.error ? `${job.error.code}: ${job.error.message}` : null, costText(job)].filter(
    Boolean,
  );
  return h(
    "article",
    { class: "job", "data-job": job.id, "data-status": job.status },
    h("a", { class: "thumb-link", href: `#/jobs/${job.id}`, tabindex: "-1", "aria-hidden": "true" }, thumbnail(job)),
    h(
      "div",
      { class: "job-main" },
      // headed by what was asked for; the id stays on the line below, for copying
      h("h2", {}, h("a", { href: `#/jobs/${job.id}`, text: promptOf(job) || job.id })),
      h(
        "p",
        { class: "muted" },
        h("span", { text: job.model }),
        " · ",
        h("code", { class: "job-id", text: job.id }),
        " · ",
        h("time", { datetime: job.createdAt, title: when(job.createdAt), text: ago(job.createdAt) }),
      ),
      detail.map((d) => h("p", { class: job.error ? "error" : "muted", text: d })),
    ),
    h("div", { class: "job-side" }, statusBadge(job.status), eta(job)),
  );
}

/** What the job was asked to make, in the user's words (the model's prompt field), shortened for a heading. */
export function promptOf(job) {
  const text = job.params?.textDescription ?? job.params?.prompt ?? job.params?.text ?? "";
  const clean = String(text).replace(/\s+/g, " ").trim();
  return clean.length > 90 ? `${clean.slice(0, 89)}…` : clean;
}

/** Follows unfinished jobs: the first few through their event streams, the rest by polling. */
export function liveUpdates(signal, onJob) {
  const streams = new Set();
  const polled = new Map();
  const follow = (job) => {
    streams.add(job.id);
    followJob(job.id, onJob, signal).finally(() => {
      streams.delete(job.id);
      // a free stream goes to a job still being polled
      const [next] = polled.values();
      if (next && !signal.aborted) {
        polled.delete(next.id);
        follow(next);
      }
    });
  };
  const timer = setInterval(async () => {
    for (const job of [...polled.values()]) {
      const fresh = await api(`/v1/jobs/${job.id}`, { signal }).catch(() => null);
      if (!fresh) continue;
      onJob(fresh);
      if (isTerminal(fresh)) polled.delete(job.id);
    }
  }, POLL_MS);
  signal.addEventListener("abort", () => clearInterval(timer));
  return {
    watch(job) {
      if (isTerminal(job) || streams.has(job.id) || polled.has(job.id)) return;
      if (streams.size < MAX_STREAMS) follow(job);
      else polled.set(job.id, job);
    },
    streaming: (id) => streams.has(id),
  };
}
