// Pipelines: the list (live while any runs), and one pipeline as its steps in order, each with
// its status, what it waits for, and each of its jobs with its status and media.
import { ApiProblem, api } from "../api.js";
import { problemBox, statusBadge, thumbnail } from "../components.js";
import { fill, h } from "../dom.js";
import { ago, amount, when } from "../format.js";

const POLL_MS = 2000;
const ended = (p) => p.status !== "running" && Boolean(p.completedAt);

function costLine(p) {
  const actual = p.cost.actual.map(amount).join(" + ");
  const estimate = p.cost.estimate.map(amount).join(" + ");
  return actual ? `cost ${actual}${estimate ? ` (reserved ${estimate})` : ""}` : estimate ? `reserved ${estimate}` : "";
}

function pipelineCard(p) {
  return h(
    "article",
    { class: "batch pipeline-card", "data-pipeline": p.id, "data-status": p.status },
    h("h2", {}, h("a", { href: `#/pipelines/${p.id}`, text: p.id }), " ", statusBadge(p.status)),
    h(
      "p",
      { class: "muted" },
      `${p.steps.length} steps: ${p.steps.map((s) => `${s.id} ${s.status}`).join(" → ")} · created `,
      h("time", { datetime: p.createdAt, title: when(p.createdAt), text: ago(p.createdAt) }),
    ),
  );
}

export async function pipelinesView(main, { signal }) {
  const list = h("div", { class: "batches" });
  fill(main, h("h1", { tabindex: "-1", text: "Pipelines" }), list);
  // live while any runs, while there are none yet (one made elsewhere shows up), and after a
  // failed read (shown, then tried again) — a list that stopped on a transient error stays empty
  const load = async () => {
    const page = await api("/v1/pipelines?limit=50", { signal });
    fill(list, page.data.length ? page.data.map(pipelineCard) : h("p", { class: "muted", text: "No pipelines yet." }));
    return page.data.length === 0 || page.data.some((p) => !ended(p));
  };
  const failed = (err) => {
    if (err instanceof ApiProblem && err.status === 401) throw err;
    if (!signal.aborted) fill(list, problemBox(err));
    return true;
  };
  let live = await load().catch(failed);
  const timer = setInterval(async () => {
    if (live)
      live = await load().catch((err) => (err instanceof ApiProblem && err.status === 401 ? false : failed(err)));
  }, POLL_MS);
  signal.addEventListener("abort", () => clearInterval(timer));
}

function jobTile(job) {
  return h(
    "li",
    { class: "pipeline-job", "data-job": job.id, "data-status": job.status },
    h("a", { href: `#/jobs/${job.id}`, class: "thumb-link", "aria-label": `Job ${job.id}` }, thumbnail(job)),
    h("span", {}, h("a", { href: `#/jobs/${job.id}`, text: job.id }), " ", statusBadge(job.status)),
    job.error ? h("span", { class: "error", text: job.error.message }) : null,
  );
}

function stepSection(step, n, jobs) {
  return h(
    "li",
    { class: "pipeline-step", "data-step": step.id, "data-status": step.status },
    h("h3", {}, `${n}. ${step.id} `, statusBadge(step.status)),
    h(
      "p",
      { class: "muted" },
      step.model,
      step.each ? ` · one job per output of ${step.each}` : "",
      step.needs?.length ? ` · after ${step.needs.join(", ")}` : "",
    ),
    step.error ? h("p", { class: "error", text: step.error }) : null,
    step.jobIds.length
      ? h(
          "ul",
          { class: "pipeline-jobs" },
          step.jobIds.map((id) => (jobs.get(id) ? jobTile(jobs.get(id)) : null)),
        )
      : null,
  );
}

export async function pipelineView(main, { id, signal }) {
  const head = h("div");
  const steps = h("ol", { class: "pipeline-steps", "aria-label": "Steps in order" });
  fill(
    main,
    h("p", { class: "crumbs" }, h("a", { href: "#/pipelines", text: "Pipelines" }), " / "),
    h("h1", { tabindex: "-1", text: id }),
    head,
    steps,
  );
  const jobs = new Map();
  const show = async (p) => {
    // a job is read again until it has ended
    const wanted = p.steps
      .flatMap((s) => s.jobIds)
      .filter((j) => !jobs.has(j) || !["succeeded", "failed", "canceled"].includes(jobs.get(j).status));
    for (const job of await Promise.all(wanted.map((j) => api(`/v1/jobs/${j}`, { signal }).catch(() => null))))
      if (job) jobs.set(job.id, job);
    const cancel = ended(p)
      ? null
      : h("button", {
          type: "button",
          class: "danger",
          text: "Cancel pipeline",
          onclick: async (e) => {
            e.currentTarget.disabled = true;
            try {
              await show(await api(`/v1/pipelines/${id}/cancel`, { method: "POST", signal }));
            } catch (err) {
              head.append(problemBox(err));
            }
          },
        });
    fill(
      head,
      h("p", { class: "status-line" }, statusBadge(p.status), h("span", { class: "muted", text: costLine(p) })),
      cancel,
    );
    fill(
      steps,
      p.steps.map((s, i) => stepSection(s, i + 1, jobs)),
    );
    return ended(p) && [...jobs.values()].every((j) => ["succeeded", "failed", "canceled"].includes(j.status));
  };
  let finished;
  try {
    finished = await show(await api(`/v1/pipelines/${id}`, { signal }));
  } catch (err) {
    if (err instanceof ApiProblem && err.status === 404) {
      fill(head, h("p", { text: `No pipeline ${id} belongs to this key.` }));
      return;
    }
    throw err;
  }
  const timer = setInterval(async () => {
    if (finished) return clearInterval(timer);
    const p = await api(`/v1/pipelines/${id}`, { signal }).catch(() => null);
    if (p) finished = await show(p);
  }, POLL_MS);
  signal.addEventListener("abort", () => clearInterval(timer));
}
