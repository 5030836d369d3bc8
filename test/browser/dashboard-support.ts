// Helpers of the dashboard's browser test (one test file, so one stack and one Chromium): the
// timings of the first load, the API called as a script would (never through the page), and the
// checks the phone test runs at every screen.
import { writeFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { artifact } from "./browser.ts";
import { inPage } from "./page.ts";

export interface LoadTimings {
  paint: Record<string, number>;
  responseEnd: number | null;
  domContentLoaded: number | null;
  transferred: number | null;
}

/**
 * Loads the dashboard twice and returns the second load's timings: the first also compiles the
 * worker's first request; the second is what a returning user sees. Both go to first-paint.json.
 */
export async function firstPaint(page: Page, worker: string): Promise<LoadTimings> {
  const measure = async () => {
    await page.goto(`${worker}/dashboard`);
    return inPage<LoadTimings>(
      page,
      `(() => {
        const nav = performance.getEntriesByType("navigation")[0];
        return {
          paint: Object.fromEntries(performance.getEntriesByType("paint").map((e) => [e.name, Math.round(e.startTime)])),
          responseEnd: nav ? Math.round(nav.responseEnd) : null,
          domContentLoaded: nav ? Math.round(nav.domContentLoadedEventEnd) : null,
          transferred: nav ? nav.transferSize : null,
        };
      })()`,
    );
  };
  const first = await measure();
  const paint = await measure();
  writeFileSync(artifact("first-paint.json"), `${JSON.stringify({ firstLoad: first, secondLoad: paint }, null, 2)}\n`);
  console.log(`first paint: first load ${JSON.stringify(first)}, second load ${JSON.stringify(paint)}`);
  return paint;
}

/** The API with a key, as a script calls it: a GET without a body, a JSON POST with one. */
export function apiAs(worker: string, key: string, path: string, body?: unknown): Promise<Response> {
  if (body === undefined) return fetch(`${worker}${path}`, { headers: { Authorization: `Bearer ${key}` } });
  return fetch(`${worker}${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** n Seedream job specs, "frame 0" to "frame n-1". */
export const seedreamJobs = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ model: "weshop/seedream", params: { textDescription: `frame ${i}` } }));

/** How far the page scrolls sideways: 0 or less when it fits the screen. */
export function sidewaysOverflow(p: Page): Promise<number> {
  return inPage<number>(p, "document.documentElement.scrollWidth - document.documentElement.clientWidth");
}

/**
 * The controls without a name: a control is named by a label, aria-label or its text (those
 * inside hidden or aria-hidden parts do not count).
 */
export function unnamedControls(p: Page): Promise<string[]> {
  return inPage<string[]>(
    p,
    `[...document.querySelectorAll("button, a[href], input:not([type=hidden]), select, textarea, video")]
      .filter((el) => !el.closest("[hidden], [aria-hidden=true]") && !(el.labels && el.labels.length) && !el.getAttribute("aria-label") && !el.textContent.trim())
      .map((el) => el.outerHTML.slice(0, 80))`,
  );
}

/** Queues a fault in the simulator through its control API. */
export function simFault(sim: string, fault: { target: string; kind: string }): Promise<Response> {
  return fetch(`${sim}/__sim/faults`, { method: "POST", body: JSON.stringify(fault) });
}

/** The output video's readyState, or "error <code>" once it failed to load. */
export function videoState(page: Page): Promise<number | string> {
  return inPage(
    page,
    `(() => { const v = document.querySelector(".outputs video"); return v.error ? "error " + v.error.code : v.readyState; })()`,
  );
}
