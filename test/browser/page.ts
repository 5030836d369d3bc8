// Helpers the browser test files share: running code in the page, signing in, and axe-core.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

/**
 * Runs an expression in the page. Written as source text: the Node test project has no DOM types
 * (adding them would retype the worker's own code), and these are a few lines each.
 */
export function inPage<T>(p: Page, expression: string): Promise<T> {
  return p.evaluate(expression) as Promise<T>;
}

export async function signIn(p: Page, worker: string, key: string): Promise<void> {
  await p.goto(`${worker}/dashboard`);
  await p.getByLabel("API key").fill(key);
  await p.getByRole("button", { name: "Sign in" }).click();
  await p.getByRole("navigation", { name: "Sections" }).waitFor();
}

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * axe-core's WCAG 2 A/AA violations on the page as it is now (evaluated through the debugger, so the
 * page's CSP does not apply), and those of `alsoRules` (axe's best practices, e.g. heading-order).
 */
export async function axeViolations(p: Page, alsoRules: string[] = []): Promise<AxeViolation[]> {
  if (!(await inPage<boolean>(p, "typeof window.axe === 'object'"))) await p.evaluate(AXE);
  const rules = JSON.stringify(Object.fromEntries(alsoRules.map((id) => [id, { enabled: true }])));
  return inPage<AxeViolation[]>(
    p,
    `axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] }, rules: ${rules}, resultTypes: ["violations"] })
      .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")) })))`,
  );
}
