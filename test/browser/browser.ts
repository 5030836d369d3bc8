// Debian's chromium under playwright-core: found or the test fails saying how to install it
// (nothing is skipped), launched headless with a fresh profile per context.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";

const CANDIDATES = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"];

export function chromiumPath(): string {
  const found = CANDIDATES.find((p): p is string => p !== undefined && p !== "" && existsSync(p));
  if (!found)
    throw new Error(
      "The dashboard's browser tests need Chromium and none was found (looked for $CHROMIUM_PATH, /usr/bin/chromium, /usr/bin/chromium-browser). Install it with `apt-get install -y chromium` (Debian), or point CHROMIUM_PATH at a Chromium binary.",
    );
  return found;
}

export async function launchChromium(): Promise<Browser> {
  // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
}

/** Screenshots and figures from the run (git-ignored). */
export const ARTIFACTS = join(import.meta.dirname, "..", "..", "test-artifacts");
export function artifact(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}
