// Pieces several views share: status badges, thumbnails, the ETA countdown, costs.
import { isTerminal } from "./api.js";
import { h } from "./dom.js";
import { amount, duration, ordinal } from "./format.js";

export function statusBadge(status) {
  return h("span", { class: `badge s-${status}`, "data-status": status, text: status });
}

/** The first stored output as a small picture: an image, a video's poster, or the video's first frame. */
export function thumbnail(job) {
  const out = job.outputs.find((o) => o.status === "stored" && o.url);
  if (!out) return h("span", { class: "thumb empty", "aria-hidden": "true" }, job.status === "failed" ? "✕" : "");
  const label = `${out.kind === "video" ? "Video" : "Image"} output of ${job.id}`;
  if (out.kind === "image")
    return h("img", { class: "thumb", src: out.url, alt: label, loading: "lazy", decoding: "async" });
  if (out.poster?.url)
    return h("img", {
      class: "thumb",
      src: out.poster.url,
      alt: `Poster of the video output of ${job.id}`,
      loading: "lazy",
    });
  // no poster: the browser shows the video's first frame once its metadata is in
  return h("video", {
    class: "thumb",
    src: `${out.url}#t=0.1`,
    preload: "metadata",
    muted: true,
    playsInline: true,
    "aria-label": label,
  });
}

/**
 * Countdown and progress towards `estimatedCompletionAt`. The numbers move every second (see
 * tick below); a job past its estimate reads "any moment now" rather than counting below zero.
 */
export function eta(job) {
  if (isTerminal(job) || !job.estimatedCompletionAt) return null;
  const start = job.startedAt ?? job.createdAt;
  const bar = h("progress", { max: "1", value: "0", "aria-label": `Progress of ${job.id} towards its estimated end` });
  const text = h("span", { class: "eta-text" });
  const el = h("span", { class: "eta", "data-eta": job.estimatedCompletionAt, "data-start": start }, bar, text);
  update(el, Date.now());
  return el;
}

function update(el, now) {
  const end = Date.parse(el.dataset.eta);
  const start = Date.parse(el.dataset.start);
  const left = end - now;
  const [bar, text] = el.children;
  bar.value = Math.min(0.99, Math.max(0, (now - start) / Math.max(1, end - start)));
  text.textContent = left > 1000 ? `about ${duration(left)} left` : "any moment now";
  el.title = `Expected at ${new Date(end).toLocaleTimeString()}`;
}

setInterval(() => {
  const now = Date.now();
  for (const el of document.querySelectorAll("[data-eta]")) update(el, now);
}, 1000);

export function queueText(job) {
  return job.status === "queued" && job.queuePosition
    ? `${ordinal(job.queuePosition)} in line for a provider slot`
    : null;
}

export function costText(job) {
  if (!job.cost) return null;
  if (job.cost.actual) return amount(job.cost.actual);
  if (job.cost.estimate) return `≈ ${amount(job.cost.estimate)}`;
  return null;
}

export function problemBox(err) {
  const p = err.problem ?? {};
  return h(
    "div",
    { class: "problem", role: "alert" },
    h("strong", { text: p.title ?? "Request failed" }),
    p.code ? h("code", { text: ` ${p.code}` }) : null,
    h("p", { text: p.detail ?? err.message }),
  );
}
