// src/jobs/README.md is the map of the job's code: a path in it that no longer exists, or a
// status diagram that no longer matches the transition table, sends a reader the wrong way.
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { TRANSITIONS } from "../../src/jobs/machine/transitions.ts";

const root = new URL("../../", import.meta.url);
const jobs = new URL("src/jobs/", root);
const page = readFileSync(new URL("README.md", jobs), "utf8");

/** Every `code` span that names a file or folder: from the repository root when it starts with src/ or test/, else from src/jobs/. */
function paths(): string[] {
  const found = [...page.matchAll(/`([\w./-]+(?:\.ts|\.md|\/))`/g)].map((m) => m[1]!);
  return [...new Set(found.filter((p) => !p.startsWith("*") && !p.includes("<")))];
}

const resolve = (path: string) => new URL(path, /^(src|test|docs)\//.test(path) ? root : jobs);

/** The diagram's edges as `from outcome → to`, one per outcome. */
function diagramEdges(): string[] {
  const edges: string[] = [];
  for (const line of page.split("\n")) {
    const edge = /^\s+(\w+) --> (\w+): (.+)$/.exec(line);
    if (!edge || edge[1] === "[*]") continue;
    for (const outcome of edge[3]!.split(",")) edges.push(`${edge[1]} ${outcome.trim()} → ${edge[2]}`);
  }
  return edges.sort();
}

describe("src/jobs/README.md", () => {
  it("names only files and folders that exist", () => {
    expect(paths().length).toBeGreaterThan(30);
    expect(paths().filter((p) => !existsSync(resolve(p)))).toEqual([]);
  });

  it("draws exactly the transition table", () => {
    const table = Object.entries(TRANSITIONS).flatMap(([from, row]) =>
      Object.entries(row).map(([outcome, to]) => `${from} ${outcome} → ${to}`),
    );
    expect(diagramEdges()).toEqual(table.sort());
  });
});
