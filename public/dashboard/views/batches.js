// Batches: each with a progress bar over its counts, live while it runs; one batch with its jobs.
import { ApiProblem, api } from "../api.js";
import { problemBox } from "../components.js";
import { fill, h } from "../dom.js";
import { ago, when } from "../format.js";
import { jobsView } from "./jobs.js";

const POLL_MS = 2000;
const PARTS = ["succeeded", "failed", "canceled", "copying", "running", "queued"];

export function progress(batch) {
  const done = batch.counts.succeeded + batch.counts.failed + batch.counts.canceled;
  const label = `${done} of ${batch.total} jobs finished: ${
    PARTS.filter((p) => batch.counts[p])
      .map((p) => `${batch.counts[p]} ${p}`)
      .join(", ") || "none started"
  }`;
  return h(
    "div",
    {
      class: "batch-progress",
      role: "progressbar",
      "aria-valuemin": "0",
      "aria-valuemax": String(batch.total),
      "aria-valuenow": String(done),
      "aria-valuetext": label,
      "aria-label": `Progress of ${batch.id}`,
    },
    h(
      "div",
      { class: "bar" },
      PARTS.map((p) =>
        batch.counts[p]
          ? h("span", { class: `seg s-${p}`, "data-share": (batch.counts[p] / Math.max(1, batch.total)).toFixed(4) })
          : null,
      ),
    ),
    h("p", { class: "muted", text: label }),
  );
}

/** Segment widths are set from script (the CSP allows no inline styles). */
function sizeSegments(root) {
  for (const seg of root.querySelectorAll(".seg")) seg.style.width = `${Number(seg.dataset.share) * 100}%`;
}

function batchCard(batch) {
  const card = h(
    "article",
    { class: "batch", "data-batch": batch.id, "data-status": batch.status },
    h("h2", {}, h("a", { href: `#/batches/${batch.id}`, text: batch.id })),
    h(
      "p",
      { class: "muted" },
      `${batch.status} · ${batch.total} jobs · created `,
      h("time", { datetime: batch.createdAt, title: when(batch.createdAt), text: ago(batch.createdAt) }),
      batch.scheduleId ? ` · from schedule ${batch.scheduleId}` : "",
    ),
    progress(batch),
  );
  sizeSegments(card);
  return card;
}

export async function batchesView(main, { signal }) {
  const list = h("div", { class: "batches" });
  const open = h(
    "form",
    {
      class: "filters",
      "aria-label": "Open a batch by id",
      onsubmit: (e) => {
        e.preventDefault();
        const id = new FormData(e.currentTarget).get("id")?.toString().trim();
        if (id) location.hash = `#/batches/${id}`;
      },
    },
    h("label", {}, "Batch id", h("input", { name: "id", placeholder: "batch_…", spellcheck: "false", size: "26" })),
    h("button", { type: "submit", text: "Open" }),
  );
  fill(main, h("h1", { tabindex: "-1", text: "Batches" }), open, list);
  const load = async () => {
    const page = await api("/v1/batches?limit=50", { signal });
    fill(list, page.data.length ? page.data.map(batchCard) : h("p", { class: "muted", text: "No batches yet." }));
    return page.data.some((b) => b.status === "running" || b.status === "canceling");
  };
  let live;
  try {
    live = await load();
  } catch (err) {
    if (!(err instanceof ApiProblem) || err.status !== 404) throw err;
    fill(list, h("p", { class: "muted", text: "This server does not list batches; open one by its id." }));
    return;
  }
  const timer = setInterval(async () => {
    if (live) live = await load().catch(() => live);
  }, POLL_MS);
  signal.addEventListener("abort", () => clearInterval(timer));
}

export async function batchView(main, { id, signal, query, modelList }) {
  const head = h("div");
  const jobs = h("section", { "aria-label": "Jobs of this batch" });
  fill(
    main,
    h("p", { class: "crumbs" }, h("a", { href: "#/batches", text: "Batches" }), " / "),
    h("h1", { tabindex: "-1", text: id }),
    head,
    h("h2", { text: "Jobs" }),
    jobs,
  );
  const show = (batch) => {
    const finished = batch.status !== "running" && batch.status !== "canceling";
    const cancel = finished
      ? null
      : h("button", {
          type: "button",
          class: "danger",
          "data-scope": "jobs:write",
          text: "Cancel batch",
          onclick: async (e) => {
            e.currentTarget.disabled = true;
            try {
              show(await api(`/v1/batches/${id}/cancel`, { method: "POST", signal }));
            } catch (err) {
              head.append(problemBox(err));
            }
          },
        });
    fill(head, batchCard(batch), cancel);
    return finished;
  };
  let finished;
  try {
    finished = show(await api(`/v1/batches/${id}`, { signal }));
  } catch (err) {
    if (err instanceof ApiProblem && err.status === 404) {
      fill(head, h("p", { text: `No batch ${id} belongs to this key.` }));
      return;
    }
    throw err;
  }
  await jobsView(main, { query, signal, modelList, batchId: id, heading: false, container: jobs });
  const timer = setInterval(async () => {
    if (finished) return clearInterval(timer);
    const batch = await api(`/v1/batches/${id}`, { signal }).catch(() => null);
    if (batch) finished = show(batch);
  }, POLL_MS);
  signal.addEventListener("abort", () => clearInterval(timer));
}
