// docs/configuration.md is the page an operator sets a deployment up from: a setting the worker
// reads but the page does not list (or a row for one it no longer reads) misleads them.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SETTING_NAMES } from "../../src/config.ts";

const page = readFileSync(new URL("../../docs/configuration.md", import.meta.url), "utf8");

/** The names in the first column of the settings table: rows whose kind is `var` or `secret`. */
function documentedSettings(): string[] {
  const names: string[] = [];
  for (const line of page.split("\n")) {
    const row = /^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|\s*(var|secret)\s*\|/.exec(line);
    if (row?.[1]) names.push(row[1]);
  }
  return names;
}

describe("docs/configuration.md", () => {
  it("lists exactly the settings src/config.ts reads", () => {
    expect(documentedSettings().sort()).toEqual([...SETTING_NAMES].sort());
  });
});
