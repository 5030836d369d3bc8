// Every call goes to the public /v1 API with the key the user pasted: the page has no other way in.
// The key lives in sessionStorage: this tab only, gone when it closes, never sent by the browser
// on its own (it is not a cookie), so no other site can make the browser use it.
const STORE = "seedrun.apiKey";

export const session = {
  get key() {
    return sessionStorage.getItem(STORE);
  },
  set(key) {
    sessionStorage.setItem(STORE, key);
  },
  clear() {
    sessionStorage.removeItem(STORE);
  },
};

/** An answer other than 2xx; `problem` is the problem+json body (RFC 9457) when there is one. */
export class ApiProblem extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem ?? {};
  }
  get code() {
    return this.problem.code;
  }
  get errors() {
    return Array.isArray(this.problem.errors) ? this.problem.errors : [];
  }
}

function headers(extra) {
  const h = new Headers(extra);
  h.set("Authorization", `Bearer ${session.key ?? ""}`);
  return h;
}

export async function api(path, { method, json, body, signal, headers: extra } = {}) {
  const h = headers(extra);
  let payload = body;
  if (json !== undefined) {
    h.set("Content-Type", "application/json");
    payload = JSON.stringify(json);
  }
  const res = await fetch(path, { method: method ?? (payload ? "POST" : "GET"), headers: h, body: payload, signal });
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { detail: text.slice(0, 200) };
  }
  if (!res.ok) throw new ApiProblem(res.status, data);
  return data;
}

/** A route this deployment may not have (budget, usage): null when it answers 404. */
export async function optional(path) {
  try {
    return await api(path);
  } catch (err) {
    if (err instanceof ApiProblem && err.status === 404) return null;
    throw err;
  }
}

const TERMINAL = new Set(["succeeded", "failed", "canceled"]);
export const isTerminal = (job) => TERMINAL.has(job.status);

/**
 * Follows a job through GET /v1/jobs/{id}/events. EventSource cannot send an Authorization
 * header, so the stream is read with fetch; a dropped stream is picked up again with
 * Last-Event-ID until the job ends or `signal` aborts.
 */
export async function followJob(id, onJob, signal) {
  let lastId;
  let failures = 0;
  while (!signal.aborted) {
    let ended = false;
    try {
      const h = headers({ Accept: "text/event-stream" });
      if (lastId) h.set("Last-Event-ID", lastId);
      const res = await fetch(`/v1/jobs/${encodeURIComponent(id)}/events`, { headers: h, signal });
      if (!res.ok || !res.body) throw new ApiProblem(res.status, null);
      for await (const event of sseEvents(res.body)) {
        failures = 0;
        if (event.id) lastId = event.id;
        if (event.event !== "job") continue;
        const job = JSON.parse(event.data);
        onJob(job);
        if (isTerminal(job)) ended = true;
      }
    } catch (err) {
      if (signal.aborted) return;
      if (err instanceof ApiProblem && err.status >= 400 && err.status < 500) return;
      failures++;
    }
    if (ended) return;
    await new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 500 * 2 ** failures)));
  }
}

/** Server-sent events from a byte stream (the WHATWG format: fields, blank-line separated). */
async function* sseEvents(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let event = { event: "message", data: [], id: undefined };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let nl = buffer.search(/\r\n|\r|\n/);
    while (nl >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + (buffer.startsWith("\r\n", nl) ? 2 : 1));
      if (line === "") {
        if (event.data.length) yield { event: event.event, data: event.data.join("\n"), id: event.id };
        event = { event: "message", data: [], id: event.id };
      } else if (!line.startsWith(":")) {
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const val = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "data") event.data.push(val);
        else if (field === "event") event.event = val;
        else if (field === "id") event.id = val;
      }
      nl = buffer.search(/\r\n|\r|\n/);
    }
  }
}
