// The error catalogue (src/lib/problems.ts) points readers at the docs: a client handling a job's
// `error.code` reads docs/jobs.md's "Why a job ended", and every problem code names the heading
// that explains it. A code missing from the table, a row for a code no job ends with, or a link
// to a heading that was renamed would each send a reader nowhere.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { JOB_ERROR_CODES, PROBLEMS } from "../../src/lib/problems.ts";

const docsDir = new URL("../../docs/", import.meta.url);
const page = (name: string) => readFileSync(new URL(name, docsDir), "utf8");

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");

function anchors(text: string): Set<string> {
  const inFence = { on: false };
  const out = new Set<string>();
  for (const line of text.split("\n")) {
    if (line.startsWith("```")) inFence.on = !inFence.on;
    const heading = inFence.on ? null : /^#{1,6}\s+(.*)$/.exec(line);
    if (heading?.[1]) out.add(slug(heading[1]));
  }
  return out;
}

/** The codes of the first column of the "Why a job ended" table: rows that are codes only (`a` or `a` / `b`). */
function documentedJobCodes(): string[] {
  const text = page("jobs.md");
  const section = text.slice(text.indexOf("## Why a job ended"));
  const codes: string[] = [];
  for (const line of section.split("\n").slice(1)) {
    if (line.startsWith("## ")) break;
    const cell = /^\|\s*([^|]+?)\s*\|/.exec(line)?.[1];
    if (cell && /^`[a-z_]+`(\s*\/\s*`[a-z_]+`)*$/.test(cell))
      codes.push(...[...cell.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!));
  }
  return codes;
}

describe("the error catalogue and the docs", () => {
  it("docs/jobs.md's 'Why a job ended' table lists exactly the job error codes", () => {
    expect(documentedJobCodes().sort()).toEqual([...JOB_ERROR_CODES].sort());
  });

  it("every problem's docs link names a heading that exists", () => {
    const pages = new Map(
      readdirSync(docsDir)
        .filter((f) => f.endsWith(".md"))
        .map((f) => [f, anchors(page(f))]),
    );
    const broken = Object.entries(PROBLEMS).flatMap(([code, { docs }]) => {
      const [file, anchor] = docs.split("#");
      return pages.get(file!)?.has(anchor!) ? [] : [`${code}: docs/${docs}`];
    });
    expect(broken).toEqual([]);
  });
});
