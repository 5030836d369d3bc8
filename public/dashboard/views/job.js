// One job: what was sent, where it stands (timeline, place in line, ETA), what came out (playable
// from the signed links, with downloads), why it ended, what it cost, its webhook deliveries.
import { ApiProblem, api, followJob, isTerminal } from "../api.js";
import { costText, eta, problemBox, queueText, statusBadge } from "../components.js";
import { announce, fill, h } from "../dom.js";
import { amount, duration, when } from "../format.js";
import { deliveries, outputs } from "./job-outputs.js";

/** Status changes seen live in this tab, per job: the API gives times only for creation, start and end. */
const seen = new Map();

export async function jobView(main, { id, signal }) {
  let job;
  try {
    job = await api(`/v1/jobs/${id}`, { signal });
  } catch (err) {
    if (err instanceof ApiProblem && err.status === 404) {
      fill(
        main,
        h("h1", { tabindex: "-1", text: "Job not found" }),
        h("p", { text: `No job ${id} belongs to this key.` }),
        h("a", { href: "#/jobs", text: "All jobs" }),
      );
      return;
    }
    throw err;
  }
  const body = h("div", { class: "job-detail" });
  fill(
    main,
    h("p", { class: "crumbs" }, h("a", { href: "#/jobs", text: "Jobs" }), " / "),
    h("h1", { tabindex: "-1", text: id }),
    body,
  );
  let shown = "";
  const render = (next) => {
    const before = job.status;
    job = next;
    note(job);
    // outputs are only rebuilt when they change, so a playing video is not interrupted
    const key = JSON.stringify({
      ...job,
      estimatedCompletionAt: null,
      updatedAt: null,
      polls: null,
      outputs: job.outputs.map((o) => [o.index, o.status, o.sha256]),
    });
    if (key === shown) return;
    shown = key;
    fill(body, detail(job, signal, render));
    if (before !== job.status) announce(`${job.id} is now ${job.status}`);
  };
  render(job);
  if (!isTerminal(job)) followJob(id, render, signal);
}

function note(job) {
  const log = seen.get(job.id) ?? [];
  if (log.at(-1)?.status !== job.status) log.push({ status: job.status, at: job.updatedAt });
  seen.set(job.id, log);
}

function timeline(job) {
  const steps = [{ status: "created", at: job.createdAt }];
  for (const s of seen.get(job.id) ?? []) if (!steps.some((x) => x.status === s.status)) steps.push(s);
  const startIndex = steps.findIndex((s) => s.status === "running");
  if (job.startedAt) {
    if (startIndex >= 0) steps[startIndex].at = job.startedAt;
    else steps.push({ status: "running", at: job.startedAt });
  }
  if (job.completedAt && !steps.some((s) => s.status === job.status))
    steps.push({ status: job.status, at: job.completedAt });
  const order = ["created", "queued", "running", "copying", "succeeded", "failed", "canceled"];
  steps.sort((a, b) => order.indexOf(a.status) - order.indexOf(b.status));
  return h(
    "ol",
    { class: "timeline", "aria-label": "Status timeline" },
    steps.map((s, i) => {
      const next = steps[i + 1];
      const took = next ? Date.parse(next.at) - Date.parse(s.at) : null;
      return h(
        "li",
        { "data-status": s.status },
        statusBadge(s.status),
        h("time", { datetime: s.at, text: when(s.at) }),
        took !== null && took >= 0 ? h("span", { class: "muted", text: ` · ${duration(took)}` }) : null,
      );
    }),
  );
}

/** A finished job can be deleted for good (docs/lifecycle.md): asked to confirm, then back to the list. */
function deleteButton(job, signal) {
  return h("button", {
    type: "button",
    class: "danger",
    text: "Delete job",
    onclick: async (event) => {
      const button = event.currentTarget;
      if (
        !window.confirm(
          `Delete job ${job.id}? Its outputs, params and events are erased for good; its cost stays in usage.`,
        )
      )
        return;
      button.disabled = true;
      try {
        await api(`/v1/jobs/${job.id}`, { method: "DELETE", signal });
        announce(`Job ${job.id} deleted`);
        location.hash = "#/jobs";
      } catch (err) {
        button.disabled = false;
        button.after(problemBox(err));
      }
    },
  });
}

function detail(job, signal, render) {
  const cancel = isTerminal(job)
    ? deleteButton(job, signal)
    : h("button", {
        type: "button",
        class: "danger",
        "data-scope": "jobs:write",
        text: "Cancel job",
        onclick: async (event) => {
          event.currentTarget.disabled = true;
          try {
            render(await api(`/v1/jobs/${job.id}/cancel`, { method: "POST", signal }));
          } catch (err) {
            event.currentTarget.after(problemBox(err));
          }
        },
      });
  const cost = job.cost
    ? h(
        "dl",
        { class: "facts" },
        pair("Estimate", job.cost.estimate ? `${amount(job.cost.estimate)} (${job.cost.estimate.source})` : "—"),
        pair("Actual", amount(job.cost.actual)),
      )
    : null;
  return [
    h(
      "div",
      { class: "status-line" },
      statusBadge(job.status),
      eta(job),
      queueText(job) ? h("span", { text: queueText(job) }) : null,
      cancel,
    ),
    job.error
      ? h(
          "section",
          { class: "problem", "aria-label": "Why the job ended" },
          h("strong", { text: job.error.code }),
          h("p", { text: job.error.message }),
          h("p", {
            class: "muted",
            text: job.error.retryable
              ? "Sending the same request again may succeed."
              : "Sending the same request again will not help.",
          }),
        )
      : null,
    section("Outputs", outputs(job)),
    section("Timeline", timeline(job)),
    section(
      "Job",
      h(
        "dl",
        { class: "facts" },
        pair("Model", job.model),
        pair(
          "Provider",
          `${job.provider.name}${job.provider.taskId ? ` · task ${job.provider.taskId}` : ""}${job.provider.status ? ` · ${job.provider.status}` : ""}`,
        ),
        pair("Status requests", String(job.polls)),
        job.provider.callbackReceived !== undefined
          ? pair("Callback received", job.provider.callbackReceived ? "yes" : "no")
          : null,
        job.batchId ? pair("Batch", h("a", { href: `#/batches/${job.batchId}`, text: job.batchId })) : null,
        pair("Estimated end", job.estimatedCompletionAt ? when(job.estimatedCompletionAt) : "—"),
        costText(job) ? pair("Cost", costText(job)) : null,
        Object.entries(job.metadata ?? {}).map(([k, v]) => pair(`metadata.${k}`, v)),
      ),
    ),
    cost ? section("Cost", cost) : null,
    section(
      "Params as sent",
      h(
        "dl",
        { class: "facts params" },
        Object.entries(job.params).map(([k, v]) => pair(k, typeof v === "string" ? v : JSON.stringify(v))),
      ),
    ),
    job.webhook ? section("Webhook deliveries", deliveries(job.webhook)) : null,
  ];
}

const pair = (name, value) => [h("dt", { text: name }), h("dd", {}, value)];
const section = (title, ...content) => h("section", { "aria-label": title }, h("h2", { text: title }), content);
