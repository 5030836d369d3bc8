// The dashboard's pipeline view in a real browser against the local stack: a still → clip pipeline
// made through the API shows its steps in order, each job's status changing live to succeeded, and
// the clip playable from its signed link.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifact, launchChromium } from "./browser.ts";
import { type BrowserStack, KEY_A, startBrowserStack } from "./stack.ts";

let stack: BrowserStack;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium();
  stack = await startBrowserStack(2000);
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  stack?.close();
});

describe("the pipeline view", () => {
  it("shows the steps in order with each job's status and media, live", async () => {
    const res = await fetch(`${stack.worker}/v1/pipelines`, {
      method: "POST",
      headers: { Authorization: `Bearer ${KEY_A}`, "Content-Type": "application/json" },
      body: JSON.stringify({
        steps: [
          { id: "still", model: "weshop/seedream", params: { textDescription: "a red sneaker" } },
          {
            id: "clip",
            model: "weshop/seedance",
            params: { textDescription: "it turns", images: ["{{steps.still.outputs.0.url}}"] },
          },
        ],
      }),
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    await page.goto(`${stack.worker}/dashboard`);
    await page.getByLabel("API key").fill(KEY_A);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("link", { name: "Pipelines" }).click();
    await page.getByRole("link", { name: id }).click();
    const steps = page.getByRole("list", { name: "Steps in order" });
    await expect
      .poll(() => steps.locator(":scope > li").evaluateAll((els) => els.map((e) => e.getAttribute("data-step"))))
      .toEqual(["still", "clip"]);
    // no reload: the view follows the pipeline until both steps and their jobs have succeeded
    await expect
      .poll(() => steps.locator(":scope > li").evaluateAll((els) => els.map((e) => e.getAttribute("data-status"))), {
        timeout: 120_000,
        interval: 1000,
      })
      .toEqual(["succeeded", "succeeded"]);
    await expect
      .poll(() => page.locator("[data-step=clip] .pipeline-job").getAttribute("data-status"), { timeout: 30_000 })
      .toBe("succeeded");
    const media = page.locator("[data-step=clip] .pipeline-job .thumb");
    const src = await media.getAttribute("src");
    expect(src).toMatch(new RegExp(`^${stack.worker}/media/`));
    expect((await fetch(src!.split("#")[0]!)).status).toBe(200);
    await page.screenshot({ path: artifact("pipeline-view.png"), fullPage: true });
  });
});
