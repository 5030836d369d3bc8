// The dashboard's overview, gallery, usage chart and new-job form in a real browser against the
// local stack: the charts show the jobs' real figures (read from the charts' own data), the usage
// bars are as tall as their amounts, and axe-core finds nothing on any view in light or dark mode.
import { writeFileSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifact, launchChromium } from "./browser.ts";
import { axeViolations, inPage, signIn } from "./page.ts";
import { type BrowserStack, KEY_A, startBrowserStack } from "./stack.ts";

let stack: BrowserStack;
let browser: Browser;
let page: Page;
const ids: string[] = [];

const call = (path: string, body?: unknown) =>
  fetch(`${stack.worker}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { Authorization: `Bearer ${KEY_A}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

async function until(id: string, statuses: string[]): Promise<void> {
  for (let i = 0; i < 240; i++) {
    const job = (await (await call(`/v1/jobs/${id}`)).json()) as { status: string; cost?: { actual: unknown } };
    if (statuses.includes(job.status)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${id} did not finish`);
}

beforeAll(async () => {
  browser = await launchChromium();
  stack = await startBrowserStack(2000);
  for (const text of ["a red kite over the dunes", "a lighthouse in fog"]) {
    const res = await call("/v1/jobs", { model: "weshop/seedream", params: { textDescription: text } });
    ids.push(((await res.json()) as { id: string }).id);
  }
  // the fault takes the next submit: only after the first two were submitted
  await Promise.all(ids.map((id) => until(id, ["succeeded", "failed"])));
  await fetch(`${stack.sim}/__sim/faults`, {
    method: "POST",
    body: JSON.stringify({ target: "weshop.submit", kind: "run_failed" }),
  });
  ids.push(
    (
      (await (
        await call("/v1/jobs", { model: "weshop/seedream", params: { textDescription: "a storm at sea" } })
      ).json()) as { id: string }
    ).id,
  );
  await Promise.all(ids.map((id) => until(id, ["succeeded", "failed"])));
  // the stats rollup is written by the job's follow-up, just after the end
  for (let i = 0; i < 60; i++) {
    const stats = (await (await call("/v1/stats")).json()) as { jobs: { byStatus: Record<string, number> } };
    if ((stats.jobs.byStatus.succeeded ?? 0) + (stats.jobs.byStatus.failed ?? 0) >= 3) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await signIn(page, stack.worker, KEY_A);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  stack?.close();
});

type ChartData = { labels: string[]; datasets: { label: string; data: (number | null)[] }[] };
const chartData = (p: Page, id: string) =>
  inPage<ChartData>(
    p,
    `(() => { const c = Chart.getChart(document.querySelector('[data-chart="${id}"] canvas')); return { labels: c.data.labels, datasets: c.data.datasets.map((d) => ({ label: d.label, data: d.data })) }; })()`,
  );

describe("the overview", () => {
  it("draws the jobs' real figures, each chart titled with its unit and a table; first paint measured", async () => {
    // a real load of the page (a hash change alone would not reload it); the key stays in this tab's sessionStorage
    await page.goto("about:blank");
    const started = Date.now();
    await page.goto(`${stack.worker}/dashboard#/overview`);
    await page.locator("main [data-drawn]").waitFor();
    const timing = await inPage<{ fcp: number | null; drawn: number }>(
      page,
      `({ fcp: performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? null, drawn: performance.now() })`,
    );
    const overviewFirstPaintMs = Math.round(timing.drawn);
    writeFileSync(
      artifact("overview-first-paint.json"),
      `${JSON.stringify({ "dashboard.overviewFirstPaintMs": overviewFirstPaintMs, fcpMs: timing.fcp, wallMs: Date.now() - started }, null, 2)}\n`,
    );
    console.log(`dashboard.overviewFirstPaintMs ${overviewFirstPaintMs} (first contentful paint ${timing.fcp} ms)`);

    const perHour = await chartData(page, "jobs-per-hour");
    const sum = (label: string) =>
      perHour.datasets.find((d) => d.label === label)!.data.reduce<number>((a, b) => a + (b ?? 0), 0);
    expect([sum("Succeeded"), sum("Failed")]).toEqual([2, 1]);
    expect(perHour.labels).toHaveLength(24);
    const failures = await chartData(page, "failures-by-code");
    expect(failures.labels).toEqual(["run_failed"]);
    expect(failures.datasets[0]!.data).toEqual([1]);
    const runs = await chartData(page, "run-time");
    expect(runs.labels).toEqual(["weshop/seedream"]);
    const [p50, p95] = runs.datasets.map((d) => d.data[0]!);
    expect(p50).toBeGreaterThan(0);
    expect(p95).toBeGreaterThanOrEqual(p50!);
    for (const id of ["jobs-per-hour", "failures-by-code", "run-time"]) {
      const figure = page.locator(`[data-chart="${id}"]`);
      expect(await figure.locator("h2").textContent()).toMatch(/last 24 hours/);
      expect((await figure.locator(".unit").textContent())?.length).toBeGreaterThan(0);
      expect(await figure.locator("canvas").getAttribute("aria-label")).toMatch(/table that follows/);
      expect(await figure.locator("table tbody tr").count()).toBeGreaterThan(0);
    }
    expect(await page.locator('[data-chart="failures-by-code"] table tbody tr').first().textContent()).toBe(
      "run_failed1",
    );
    const spend = await chartData(page, "spend-weshop_power");
    const today = spend.datasets[0]!.data.at(-1);
    expect(today).toBeGreaterThan(0);
    expect(spend.datasets[0]!.data.slice(0, -1).every((d) => d === null)).toBe(true);
    await expect.poll(() => page.locator('[data-provider="weshop"] td').first().textContent()).toMatch(/ 0 of \d+$/);
    await page.screenshot({ path: artifact("dashboard-overview.png"), fullPage: true });
  });
});

describe("the usage chart", () => {
  it("draws each day's bar as tall as its amount, none for a day without spend, with the unit", async () => {
    const day = (ago: number) => new Date(Date.now() - ago * 86_400_000).toISOString().slice(0, 10);
    const rows = [
      { key: day(4), unit: "weshop_power", amount: 10, jobs: 1 },
      { key: day(2), unit: "weshop_power", amount: 40, jobs: 4 },
      { key: day(0), unit: "weshop_power", amount: 20, jobs: 2 },
    ];
    // the figures are fixed here so the geometry can be checked against known amounts
    await page.route("**/v1/usage?*", (route) => route.fulfill({ json: { data: rows } }));
    await page.goto(`${stack.worker}/dashboard#/usage`);
    const bars = page.locator("rect.spend-bar");
    await expect.poll(() => bars.count()).toBe(3);
    const heights = await bars.evaluateAll((els) =>
      els.map((el) => [el.getAttribute("data-day"), el.getBoundingClientRect().height]),
    );
    const tallest = Math.max(...heights.map(([, hgt]) => hgt as number));
    expect(tallest).toBeGreaterThan(20);
    for (const [key, height] of heights)
      expect((height as number) / tallest).toBeCloseTo(rows.find((r) => r.key === key)!.amount / 40, 2);
    expect(await page.locator("figure.usage-chart figcaption").textContent()).toContain("WeShop power");
    await page.screenshot({ path: artifact("dashboard-usage.png"), fullPage: true });
    await page.unroute("**/v1/usage?*");
  });
});

describe("the gallery and the job list", () => {
  it("shows the outputs newest first with their prompts, filters by model and status; job rows are headed by the prompt", async () => {
    await page.goto(`${stack.worker}/dashboard#/gallery`);
    const tiles = page.locator(".gallery li");
    await expect.poll(() => tiles.count()).toBeGreaterThan(1);
    const order = await tiles.evaluateAll((els) => [...new Set(els.map((el) => el.getAttribute("data-job")))]);
    expect(order).toEqual([ids[1], ids[0]]);
    await expect
      .poll(() =>
        inPage(page, `[...document.querySelectorAll(".gallery img")].every((i) => i.complete && i.naturalWidth > 0)`),
      )
      .toBe(true);
    expect(await tiles.first().locator("figcaption a").textContent()).toBe("a lighthouse in fog");
    await page.getByLabel("Status").selectOption("failed");
    await page.getByText("No outputs match.").waitFor();
    await page.getByLabel("Model").selectOption("weshop/seedance");
    expect(page.url()).toContain("model=weshop%2Fseedance");

    await page.goto(`${stack.worker}/dashboard#/jobs`);
    const heading = page.locator(`[data-job="${ids[0]}"] h2`);
    await heading.waitFor();
    expect(await heading.textContent()).toBe("a red kite over the dunes");
    expect(await page.locator(`[data-job="${ids[0]}"] .job-id`).textContent()).toBe(ids[0]);
  });
});

describe("the new-job form", () => {
  it("labels fields in words with the API name as a hint, shows only the chosen variant's hints, names controls by their text", async () => {
    await page.goto(`${stack.worker}/dashboard#/new?model=weshop/seedream`);
    await page.getByRole("form", { name: "Params for weshop/seedream" }).waitFor();
    const label = page.locator('label[for="f-textDescription"]');
    expect(await label.textContent()).toBe("Description * textDescription");
    // every control's accessible name contains its visible text (WCAG 2.5.3)
    const mismatched = await inPage<string[]>(
      page,
      `[...document.querySelectorAll("form button, .upload button")].filter((b) => b.getAttribute("aria-label") && !b.getAttribute("aria-label").includes(b.textContent.trim())).map((b) => b.outerHTML)`,
    );
    expect(mismatched).toEqual([]);
    const variants = await inPage<string[]>(
      page,
      `[...document.querySelectorAll("#f-modelName option")].map((o) => o.value).filter(Boolean).map((v) => JSON.parse(v))`,
    );
    expect(variants.length).toBeGreaterThan(1);
    const helps = () =>
      inPage<string>(
        page,
        `[...document.querySelectorAll(".field:not([hidden]) .help")].map((p) => p.textContent).join(" | ")`,
      );
    for (const variant of variants) {
      await page.locator("#f-modelName").selectOption(JSON.stringify(variant));
      const text = await helps();
      // no other variant's name is left in any hint
      for (const other of variants.filter((v) => v !== variant && !variant.startsWith(v) && !v.startsWith(variant)))
        expect(text, variant).not.toContain(`${other}:`);
    }
  });
});

describe("accessibility", () => {
  it("axe-core finds no violation on any view, light and dark", async () => {
    const found: Record<string, unknown> = {};
    for (const colorScheme of ["light", "dark"] as const) {
      const context = await browser.newContext({ colorScheme, viewport: { width: 1280, height: 900 } });
      const p = await context.newPage();
      await p.goto(`${stack.worker}/dashboard`);
      await p.getByLabel("API key").waitFor();
      const atSignIn = await axeViolations(p);
      if (atSignIn.length) found[`${colorScheme} sign-in`] = atSignIn;
      await signIn(p, stack.worker, KEY_A);
      // every section the navigation offers (views added elsewhere are covered as they appear), and the detail pages
      await p.locator('#nav a[href="#/usage"]').waitFor();
      const sections = await p
        .locator("#nav a:not([hidden])")
        .evaluateAll((links) => links.map((a) => a.getAttribute("href") ?? ""));
      expect(sections).toEqual(
        expect.arrayContaining(["#/overview", "#/jobs", "#/gallery", "#/new", "#/batches", "#/schedules", "#/usage"]),
      );
      for (const hash of [...sections, `#/jobs/${ids[0]}`, `#/jobs/${ids[2]}`, "#/new?model=weshop/seedance"]) {
        await p.goto(`${stack.worker}/dashboard${hash}`);
        await p.locator("h1").first().waitFor();
        await p.waitForLoadState("networkidle");
        const violations = await axeViolations(p);
        if (violations.length) found[`${colorScheme} ${hash}`] = violations;
      }
      await context.close();
    }
    writeFileSync(artifact("axe.json"), `${JSON.stringify(found, null, 2)}\n`);
    expect(found).toEqual({});
  });
});

describe("the API reference", () => {
  it("axe-core finds no violation on /docs, light and dark; the servers list has a name, the headings their levels", async () => {
    const found: Record<string, unknown> = {};
    for (const colorScheme of ["light", "dark"] as const) {
      const context = await browser.newContext({ colorScheme, viewport: { width: 1280, height: 900 } });
      const p = await context.newPage();
      await p.goto(`${stack.worker}/docs`);
      await p.locator(".opblock").first().waitFor();
      // one operation opened, so its parameters and responses are checked too
      await p.locator(".opblock-summary").first().click();
      await p.locator(".opblock-body").first().waitFor();
      expect(await p.locator("select#servers").getAttribute("aria-label")).toBe("Server");
      // a screen reader's outline (Chromium's accessibility tree; Playwright's role queries ignore
      // aria-level on <h1>–<h6>): the title, then each tag, then an opened operation's sections
      const { nodes } = await (await context.newCDPSession(p)).send("Accessibility.getFullAXTree");
      const level = (name: RegExp) =>
        nodes
          .find((n) => n.role?.value === "heading" && name.test(String(n.name?.value)))
          ?.properties?.find((x) => x.name === "level")?.value.value;
      expect([level(/^seedrun/), level(/^Jobs\b/), level(/^Parameters$/)]).toEqual([1, 2, 3]);
      // heading-order is one of axe's best practices (Lighthouse counts it), not a WCAG rule
      const violations = await axeViolations(p, ["heading-order"]);
      if (violations.length) found[colorScheme] = violations;
      await context.close();
    }
    writeFileSync(artifact("axe-docs.json"), `${JSON.stringify(found, null, 2)}\n`);
    expect(found).toEqual({});
  });
});
