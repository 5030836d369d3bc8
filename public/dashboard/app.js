// The dashboard: sign-in, a hash router over the views, keyboard shortcuts. Views get the main
// element, the route's parameters and an AbortSignal that fires when the user leaves the view
// (its live streams and timers stop with it).
import { ApiProblem, api, optional, session } from "./api.js";
import { announce, fill, h } from "./dom.js";
import { batchesView, batchView } from "./views/batches.js";
import { galleryView } from "./views/gallery.js";
import { jobView } from "./views/job.js";
import { jobsView } from "./views/jobs.js";
import { keysView } from "./views/keys.js";
import { newJobView } from "./views/new-job.js";
import { overviewView } from "./views/overview.js";
import { pipelinesView, pipelineView } from "./views/pipelines.js";
import { schedulesView } from "./views/schedules.js";
import { usageView } from "./views/usage.js";

const main = document.getElementById("main");
const nav = document.getElementById("nav");
const signOut = document.getElementById("sign-out");
const signInTemplate = main.innerHTML;

/** What this deployment offers beyond jobs, batches and schedules (found out once per sign-in). */
export const features = { usage: false, budget: false, caller: null };
let models;
export async function modelList() {
  models ??= api("/v1/models").then((r) => r.data);
  return models;
}

const ROUTES = [
  [/^\/jobs\/(job_[0-9a-z]+)$/, (m) => ({ view: jobView, args: { id: m[1] }, section: "jobs" })],
  [/^\/jobs$/, () => ({ view: jobsView, section: "jobs" })],
  [/^\/new$/, () => ({ view: newJobView, section: "new" })],
  [/^\/batches\/(batch_[0-9a-z]+)$/, (m) => ({ view: batchView, args: { id: m[1] }, section: "batches" })],
  [/^\/batches$/, () => ({ view: batchesView, section: "batches" })],
  [/^\/pipelines\/(pipe_[0-9a-z]+)$/, (m) => ({ view: pipelineView, args: { id: m[1] }, section: "pipelines" })],
  [/^\/pipelines$/, () => ({ view: pipelinesView, section: "pipelines" })],
  [/^\/schedules$/, () => ({ view: schedulesView, section: "schedules" })],
  [/^\/usage$/, () => ({ view: usageView, section: "usage" })],
  [/^\/overview$/, () => ({ view: overviewView, section: "overview" })],
  [/^\/gallery$/, () => ({ view: galleryView, section: "gallery" })],
  [/^\/keys$/, () => ({ view: keysView, section: "keys" })],
];

let leaving;

async function route() {
  leaving?.abort();
  leaving = new AbortController();
  const signal = leaving.signal;
  if (!session.key) return showSignIn();
  const [path, search = ""] = location.hash.replace(/^#/, "").split("?");
  const found = ROUTES.map(([re, make]) => [re.exec(path || "/jobs"), make]).find(([m]) => m);
  if (!found) {
    location.replace("#/jobs");
    return;
  }
  const { view, args = {}, section } = found[1](found[0]);
  for (const a of nav.querySelectorAll("a")) {
    if (a.getAttribute("href") === `#/${section}`) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const ctx = { signal, query: new URLSearchParams(search), features, modelList };
  // each route draws into a container of its own: a view still awaiting something when the next
  // route starts (the jobs view waits for the model list) then fills its detached container,
  // not the page the user went on to
  const page = document.createElement("div");
  page.className = "route";
  main.replaceChildren(page);
  try {
    await view(page, { ...args, ...ctx });
  } catch (err) {
    if (signal.aborted) return;
    if (err instanceof ApiProblem && err.status === 401) return forget("The key is no longer accepted. Sign in again.");
    fill(main, h("h1", { text: "Something went wrong" }), h("p", { class: "error", role: "alert", text: err.message }));
  }
  if (!signal.aborted) main.querySelector("h1")?.focus({ preventScroll: false });
}

function showSignIn(message) {
  nav.hidden = true;
  signOut.hidden = true;
  main.innerHTML = signInTemplate;
  const form = document.getElementById("signin");
  const error = document.getElementById("signin-error");
  if (message) error.textContent = message;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const key = form.key.value.trim();
    if (!key) {
      error.textContent = "Paste an API key first.";
      form.key.focus();
      return;
    }
    session.set(key);
    try {
      await api("/v1/jobs?limit=1");
    } catch (err) {
      session.clear();
      error.textContent =
        err instanceof ApiProblem && err.status === 401
          ? "This key was not accepted."
          : `Could not reach the API: ${err.message}`;
      form.key.focus();
      return;
    }
    await start();
  });
}

function forget(message) {
  session.clear();
  models = undefined;
  features.usage = features.budget = false;
  features.caller = null;
  delete document.body.dataset.scopes;
  if (location.hash !== "#/jobs") history.replaceState(null, "", "#/jobs");
  showSignIn(message);
}

async function start() {
  // what this key may do, before anything shows: style.css hides each [data-scope] control the body's data-scopes lacks
  features.caller = (await optional("/v1/keys/current").catch(() => null)) ?? {
    id: null,
    name: "this key",
    scopes: [],
    root: false,
  };
  document.body.dataset.scopes = features.caller.scopes.join(" ");
  nav.hidden = false;
  signOut.hidden = false;
  // budget and usage exist only on deployments that have them: ask once, show them if so
  const [budget, usage] = await Promise.all([
    optional("/v1/budget").catch(() => null),
    optional("/v1/usage?groupBy=day").catch(() => null),
  ]);
  features.budget = budget !== null;
  features.usage = usage !== null;

  for (const a of nav.querySelectorAll("[data-needs]"))
    a.hidden = !features[a.dataset.needs] && !(a.dataset.needs === "usage" && features.budget);
  announce("Signed in");
  await route();
}

signOut.addEventListener("click", () => forget());
window.addEventListener("hashchange", route);

// g then o / j / g / n / b / s / u goes to a section; / focuses the first filter or field
let pendingG = false;
document.addEventListener("keydown", (event) => {
  const target = event.target;
  if (event.ctrlKey || event.metaKey || event.altKey || !session.key) return;
  if (
    target instanceof HTMLElement &&
    (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))
  )
    return;
  if (event.key === "/") {
    const first = main.querySelector("select, input, textarea");
    if (first) {
      event.preventDefault();
      first.focus();
    }
    return;
  }
  if (pendingG) {
    pendingG = false;
    const to = {
      j: "#/jobs",
      n: "#/new",
      b: "#/batches",
      s: "#/schedules",
      u: "#/usage",
      o: "#/overview",
      g: "#/gallery",
    }[event.key];
    if (to) location.hash = to;
    return;
  }
  if (event.key === "g") pendingG = true;
});

if (session.key) start();
else showSignIn();
