// The dashboard in a real browser against the local stack (simulator + worker): sign in with a
// pasted key, start a Seedream and a Wiro job from the form, watch both succeed without a reload,
// play the outputs from their signed links, see the API's field errors at their fields, and a
// second key seeing none of it. Every request the page makes stays on the worker's origin.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTIFACTS, artifact, launchChromium } from "./browser.ts";
import {
  apiAs,
  firstPaint,
  seedreamJobs,
  sidewaysOverflow,
  simFault,
  unnamedControls,
  videoState,
} from "./dashboard-support.ts";
import { inPage, signIn as signInAt } from "./page.ts";
import { type BrowserStack, KEY_A, KEY_B, startBrowserStack } from "./stack.ts";

let stack: BrowserStack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Every URL the pages asked for, to prove nothing left the worker. */
const requested: string[] = [];
const jobs: { seedream?: string; wiro?: string } = {};

async function newPage(ctx: BrowserContext): Promise<Page> {
  const p = await ctx.newPage();
  p.on("request", (r) => requested.push(r.url()));
  return p;
}

const signIn = (p: Page, key: string) => signInAt(p, stack.worker, key);

beforeAll(async () => {
  browser = await launchChromium();
  stack = await startBrowserStack();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await newPage(context);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  stack?.close();
  console.log(`screenshots in ${ARTIFACTS}`);
});

describe("the dashboard", () => {
  it("paints the sign-in form first, refuses a wrong key and signs in with a right one (keyboard only)", async () => {
    const paint = await firstPaint(page, stack.worker);
    expect(paint.paint["first-contentful-paint"]).toBeGreaterThan(0);

    await page.getByLabel("API key").focus();
    await page.keyboard.type("not-a-key");
    await page.keyboard.press("Enter");
    await expect.poll(() => page.getByRole("alert").first().textContent()).toBe("This key was not accepted.");
    await page.getByLabel("API key").fill("");
    await page.keyboard.type(KEY_A);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Jobs", level: 1 }).waitFor();
    expect(await inPage(page, `sessionStorage.getItem("seedrun.apiKey")`)).toBe(KEY_A);
    expect((await context.cookies()).length).toBe(0);
    // marks this document: a reload would lose it
    await inPage(page, "window.__sameDocument = true");
  });

  it("shows each field error of a bad request at its field, exactly as the API's problem+json names it", async () => {
    // g then n: the new-job form, from the keyboard
    await page.keyboard.press("g");
    await page.keyboard.press("n");
    await page.getByRole("heading", { name: "New job", level: 1 }).waitFor();
    await page.getByLabel("Model", { exact: true }).selectOption("weshop/seedream");
    // the form is rebuilt for the chosen model: fill in that one
    await page.getByRole("form", { name: "Params for weshop/seedream" }).waitFor();
    await page.getByLabel("batchCount").fill("99");
    const answer = page.waitForResponse((r) => r.url().endsWith("/v1/jobs") && r.request().method() === "POST");
    await page.getByRole("button", { name: /^Start weshop\/seedream job/ }).click();
    const res = await answer;
    expect(res.status()).toBe(400);
    const problem = (await res.json()) as { errors: { path: string; message: string }[] };
    expect(problem.errors.map((e) => e.path).sort()).toEqual(["params.batchCount", "params.textDescription"]);
    for (const e of problem.errors) {
      const field = e.path.replace(/^params\./, "");
      const shown = page.locator(`#f-${field}-error`);
      await expect.poll(() => shown.textContent()).toBe(`${e.path}: ${e.message}`);
      expect(await page.locator(`#f-${field}`).getAttribute("aria-invalid")).toBe("true");
    }
    await page.screenshot({ path: artifact("dashboard-field-errors.png"), fullPage: true });
  });

  it("starts a Seedream and a Wiro job from the form; both reach succeeded in the list without a reload", async () => {
    await page.getByLabel("batchCount").fill("2");
    await page.getByLabel("textDescription").fill("a lighthouse at dusk");
    await page.getByRole("button", { name: /^Start weshop\/seedream job/ }).click();
    await page.waitForURL(/#\/jobs\/job_/);
    jobs.seedream = page.url().split("#/jobs/")[1];

    await page.getByRole("link", { name: "New job" }).click();
    await page.getByLabel("Model", { exact: true }).selectOption("wiro/ByteDance/text-to-video-seedance-v1");
    await page.getByRole("form", { name: "Params for wiro/ByteDance/text-to-video-seedance-v1" }).waitFor();
    await page.getByLabel("prompt").fill("a bicycle at dawn");
    await page.getByLabel("resolution").selectOption({ label: "720p" });
    await page.getByRole("button", { name: /^Start wiro\/ByteDance\/text-to-video-seedance-v1 job/ }).click();
    await page.waitForURL(/#\/jobs\/job_/);
    jobs.wiro = page.url().split("#/jobs/")[1];
    expect(jobs.wiro).not.toBe(jobs.seedream);
    // while it runs: a countdown towards estimatedCompletionAt
    await page.locator(".status-line .eta").first().waitFor();
    await page.screenshot({ path: artifact("dashboard-job-running.png"), fullPage: true });

    await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Jobs" }).click();
    for (const id of [jobs.seedream, jobs.wiro])
      await page.locator(`[data-job="${id}"][data-status="succeeded"]`).waitFor({ timeout: 120_000 });
    expect(await inPage(page, "window.__sameDocument")).toBe(true);
    expect(await page.locator(`[data-job="${jobs.seedream}"] img.thumb`).count()).toBe(1);
    await page.screenshot({ path: artifact("dashboard-jobs.png"), fullPage: true });
  });

  it("plays the Wiro video from a working signed link, with a download button", async () => {
    // rows are headed by the prompt; the link opens the job
    await page.locator(`[data-job="${jobs.wiro}"] h2 a`).click();
    const video = page.locator(".outputs video");
    await video.waitFor();
    const src = await video.getAttribute("src");
    expect(src).toMatch(new RegExp(`^${stack.worker}/media/.+[?&]sig=`));
    // a browser's request: no API key
    const res = await fetch(src!);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("video/mp4");
    expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(0);
    // and the browser itself loads it from there: its metadata (duration, size) comes in
    await expect.poll(() => videoState(page)).toBeGreaterThanOrEqual(1);
    expect(await page.getByRole("link", { name: "Download" }).getAttribute("href")).toBe(src);
    await page.screenshot({ path: artifact("dashboard-job-video.png"), fullPage: true });

    await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Jobs" }).click();
    await page.locator(`[data-job="${jobs.seedream}"] h2 a`).click();
    const images = page.locator(".outputs img");
    await expect.poll(() => images.count()).toBe(2);
    await expect
      .poll(() =>
        inPage(page, `[...document.querySelectorAll(".outputs img")].every((i) => i.complete && i.naturalWidth > 0)`),
      )
      .toBe(true);
  });

  it("shows a batch's progress live to the end, and a schedule in words that can be switched off", async () => {
    const api = (path: string, body: unknown) => apiAs(stack.worker, KEY_A, path, body);
    const batch = (await (await api("/v1/batches", { jobs: seedreamJobs(3) })).json()) as { id: string };
    const created = await api("/v1/schedules", {
      name: "Nightly lookbook",
      cron: "0 3 * * *",
      timezone: "Europe/Istanbul",
      batch: { jobs: seedreamJobs(1) },
    });
    expect(created.status).toBe(201);

    await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Batches" }).click();
    const bar = page.getByRole("progressbar", { name: `Progress of ${batch.id}` });
    await bar.waitFor();
    await page.locator(`[data-batch="${batch.id}"][data-status="completed"]`).waitFor({ timeout: 120_000 });
    expect(await bar.getAttribute("aria-valuenow")).toBe("3");
    expect(await bar.getAttribute("aria-valuetext")).toBe("3 of 3 jobs finished: 3 succeeded");
    await page.getByRole("link", { name: batch.id }).click();
    await page.locator("[data-job]").nth(2).waitFor();
    expect(await page.locator("[data-job]").count()).toBe(3);

    await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Schedules" }).click();
    const card = page.locator("article.schedule", { hasText: "Nightly lookbook" });
    await card.getByText("every day at 03:00").waitFor();
    await card.getByText("Europe/Istanbul").first().waitFor();
    const toggle = card.getByRole("switch");
    expect(await toggle.isChecked()).toBe(true);
    const patched = page.waitForResponse((r) => r.request().method() === "PATCH");
    await toggle.click();
    expect((await patched).status()).toBe(200);
    await card.getByText("none while disabled").waitFor();
    expect(await card.getByRole("switch").isChecked()).toBe(false);
    await page.screenshot({ path: artifact("dashboard-schedules.png"), fullPage: true });
    expect(await inPage(page, "window.__sameDocument")).toBe(true);
  });

  it("says why a job failed: the error's code and message, live", async () => {
    const fault = await simFault(stack.sim, { target: "weshop.submit", kind: "run_failed" });
    expect(fault.ok).toBe(true);
    const res = await apiAs(stack.worker, KEY_A, "/v1/jobs", {
      model: "weshop/seedream",
      params: { textDescription: "a storm" },
    });
    const { id } = (await res.json()) as { id: string };
    await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Jobs" }).click();
    await page.getByRole("link", { name: "a storm" }).click();
    const why = page.getByRole("region", { name: "Why the job ended" });
    await why.waitFor({ timeout: 120_000 });
    const job = (await (await apiAs(stack.worker, KEY_A, `/v1/jobs/${id}`)).json()) as {
      status: string;
      error: { code: string; message: string };
    };
    expect(job.status).toBe("failed");
    expect(await why.locator("strong").textContent()).toBe(job.error.code);
    expect(await why.locator("p").first().textContent()).toBe(job.error.message);
    expect(await page.locator(".status-line [data-status]").textContent()).toBe("failed");
  });

  it("pages through the jobs over the cursor, newest first, without repeating one", async () => {
    const all = (await (await apiAs(stack.worker, KEY_A, "/v1/jobs?limit=100")).json()) as { data: { id: string }[] };
    expect(all.data.length).toBe(6);
    await page.goto(`${stack.worker}/dashboard#/jobs?limit=2`);
    const rows = page.locator("[data-job]");
    const more = page.getByRole("button", { name: "Load more" });
    await expect.poll(() => rows.count()).toBe(2);
    for (const n of [4, 6]) {
      await more.click();
      await expect.poll(() => rows.count()).toBe(n);
    }
    // the last page has no next cursor
    await expect.poll(() => more.isVisible()).toBe(false);
    const shown = await rows.evaluateAll((els) => els.map((el) => el.getAttribute("data-job")));
    expect(shown).toEqual(all.data.map((j) => j.id));
  });

  it("reads cron expressions in words", async () => {
    const words = await inPage<string[]>(
      page,
      `import("/dashboard/cron.js").then((m) => ["*/15 * * * *", "0 9 * * MON-FRI", "30 2 1 * *", "0 6,18 * * SAT,SUN", "5 * * * *"].map(m.cronInWords))`,
    );
    expect(words).toEqual([
      "every 15 minutes",
      "on weekdays at 09:00",
      "on day 1 of the month at 02:30",
      "on Saturday, Sunday at 06:00, 18:00",
      "every hour at minute 5",
    ]);
  });

  it("a second key sees none of the first key's jobs", async () => {
    const other = await browser.newContext();
    const p = await newPage(other);
    await signIn(p, KEY_B);
    await p.getByText("No jobs yet.").waitFor();
    expect(await p.locator("[data-job]").count()).toBe(0);
    await p.goto(`${stack.worker}/dashboard#/jobs/${jobs.wiro}`);
    await p.getByRole("heading", { name: "Job not found" }).waitFor();
    await p.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Batches" }).click();
    await p.getByText("No batches yet.").waitFor();
    await p.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Schedules" }).click();
    await p.getByText(/^No schedules\./).waitFor();
    await other.close();
  });

  it("fits a narrow phone screen, in dark mode, with a name on every control", async () => {
    const phone = await browser.newContext({
      viewport: { width: 360, height: 780 },
      colorScheme: "dark",
      isMobile: true,
      hasTouch: true,
    });
    const p = await newPage(phone);
    await signIn(p, KEY_A);
    for (const hash of ["#/jobs", `#/jobs/${jobs.wiro}`, "#/new?model=weshop/seedance", "#/batches", "#/schedules"]) {
      await p.goto(`${stack.worker}/dashboard${hash}`);
      await p.locator("h1").first().waitFor();
      await p.waitForLoadState("networkidle");
      expect(await sidewaysOverflow(p), `${hash} scrolls sideways`).toBeLessThanOrEqual(0);
      expect(await unnamedControls(p), `${hash} has controls without a name`).toEqual([]);
    }
    await p.goto(`${stack.worker}/dashboard#/jobs`);
    await p.locator("[data-job]").first().waitFor();
    await p.screenshot({ path: artifact("dashboard-phone-dark.png"), fullPage: true });
    await phone.close();
  });

  it("loaded nothing from outside the worker", () => {
    const outside = requested.filter((u) => !u.startsWith(`${stack.worker}/`) && !u.startsWith("data:"));
    expect(requested.length).toBeGreaterThan(10);
    expect(outside).toEqual([]);
  });
});
