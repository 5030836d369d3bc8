// The test harness as a vitest fixture: every test of a file that imports this `it` gets a fresh
// harness (simulator behind the fetch spy, see harness.ts), stopped after the test and after the
// file's own afterEach hooks, which therefore still see it. Tests and hooks that use it name it:
// `it("…", async ({ h }) => …)`, `it.afterEach(async ({ h }) => …)`.
import { test as base } from "vitest";
import { type Harness, startHarness } from "./harness.ts";

export const it = base.extend<{ h: Harness }>({
  // auto: the fetch spy must be in place even in a test that never names `h`
  h: [
    // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern; there are none
    async ({}, use) => {
      const h = startHarness();
      await use(h);
      await h.stop();
    },
    { auto: true },
  ],
});
