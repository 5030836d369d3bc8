// The dashboard's New job form in a real browser against the local stack: a model picked while the
// default model's schema is still loading gets its own form, even when that schema answers last
// (a slow network, or a quick hand; once seen in CI as the Wiro form never appearing).
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./browser.ts";
import { signIn } from "./page.ts";
import { type BrowserStack, KEY_A, startBrowserStack } from "./stack.ts";

const WIRO = "wiro/ByteDance/text-to-video-seedance-v1";
/** GET /v1/models/{id} of any model but Wiro's: the default model's schema. */
const OTHER_SCHEMA = /\/v1\/models\/(?!wiro)[^/?#]+$/;

let stack: BrowserStack;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium();
  stack = await startBrowserStack();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  stack?.close();
});

describe("the New job form", () => {
  it("shows the form of the model picked while the default model's schema was still loading", async () => {
    await signIn(page, stack.worker, KEY_A);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const heldUrls: string[] = [];
    await page.route(OTHER_SCHEMA, async (route) => {
      heldUrls.push(route.request().url());
      await held;
      await route.continue();
    });
    await page.getByRole("link", { name: "New job" }).click();
    await page.getByLabel("Model", { exact: true }).selectOption(WIRO);
    await page.getByRole("form", { name: `Params for ${WIRO}` }).waitFor();
    expect(heldUrls).toHaveLength(1);

    // now the default model's schema arrives, last; the page must not swap the form back
    const late = page.waitForResponse(OTHER_SCHEMA);
    release();
    await (await late).finished();
    await page.evaluate("new Promise((resolve) => setTimeout(resolve, 200))");
    expect(await page.locator("form.job-form").getAttribute("aria-label")).toBe(`Params for ${WIRO}`);
    expect(await page.getByLabel("Model", { exact: true }).inputValue()).toBe(WIRO);
    await page.unroute(OTHER_SCHEMA);
  });
});
