// The docs send readers to files: a path that was renamed or moved away sends them nowhere.
// Instead of a hand-kept file list that goes stale, every path the docs write is checked here:
// backtick spans, code blocks (and, in source trees, the file names each entry lists), links.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const SKIP_DIRS = new Set([".git", "node_modules", ".wrangler", "logs", "dist", "coverage", ".tmp"]);

/** Every file and folder of the repository, as paths from its root ("src/jobs/", "src/index.ts"). */
function walk(dir = ""): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    if (SKIP_DIRS.has(entry.name)) continue;
    const path = `${dir}${entry.name}`;
    if (entry.isDirectory()) found.push(`${path}/`, ...walk(`${path}/`));
    else found.push(path);
  }
  return found;
}
const repo = walk();

/** The pages read here: the entry pages, docs/ and every README inside src/. */
const PAGES = [
  "README.md",
  "ARCHITECTURE.md",
  "RELIABILITY.md",
  "BENCHMARKS.md",
  ...repo.filter((p) => /^docs\/.*\.md$/.test(p) || /^src\/.*README\.md$/.test(p)),
];

/** A path from the repository root: one of its folders, or a root file such as wrangler.toml. */
const ROOTED = /^(src|test|simulator|scripts|packages|migrations|public|docs)(\/|$)/;
const FILE = /^[\w.-]+\.(ts|js|mjs|cjs|json|jsonc|toml|md|html|css|sql|png)$/;
/** Something shaped like a path but not one of ours: globs, URLs, placeholders, elisions. */
const NOT_A_PATH = /[*<>{}$…]|:\/\/|\.\.\.|^\.\.?\//;

interface Reference {
  page: string;
  path: string;
  /** where it must exist: "exact" from a base folder, or "under" it (any depth, for tree entries). */
  base: string;
  how: "exact" | "under" | "suffix";
}

/** A token as written (`src/http/app.ts:42,` → src/http/app.ts), or undefined when it is not a path. */
function clean(token: string): string | undefined {
  const path = token
    .replace(/^[("'[]+/, "")
    .replace(/#.*$/, "")
    .replace(/(:\d+)?[)"'\],.;:]*$/, "");
  if (!path || NOT_A_PATH.test(path) || path.startsWith("/")) return undefined;
  if (ROOTED.test(path)) return path;
  // a bare file name; a lower-case .md one is another project's page (Wiro-Docs' `tasks.md`)
  if (FILE.test(path)) return /^[a-z].*\.md$/.test(path) ? undefined : path;
  // a relative path such as poll/poll-io.ts: a file under some folder of the repository
  if (/^[\w.-]+(\/[\w.-]+)+$/.test(path) && FILE.test(path.split("/").pop()!)) return path;
  return undefined;
}

/** How a path read on `page` is looked up: rooted paths from the root, others beside the page or anywhere. */
function reference(page: string, path: string): Reference {
  if (ROOTED.test(path)) return { page, path, base: "", how: "exact" };
  if (page.startsWith("src/")) return { page, path, base: `${dirname(page)}/`, how: "exact" };
  return { page, path, base: "", how: "suffix" };
}

function exists(ref: Reference): boolean {
  const path = ref.path.replace(/\/$/, "");
  if (ref.how === "exact") return existsSync(join(root, ref.base, path));
  const folder = ref.path.endsWith("/");
  const names = repo.filter((p) => p.endsWith("/") === folder && p.startsWith(ref.base));
  if (ref.how === "under") return names.some((p) => p === `${ref.base}${ref.path}` || p.endsWith(`/${ref.path}`));
  return names.some((p) => p === ref.path || p.endsWith(`/${ref.path}`));
}

/**
 * Paths in `code` spans, outside code blocks. A bare file name counts only when it is the whole span; a
 * relative path (poll/poll-io.ts) only in a README inside src/, from its folder: elsewhere such spans
 * name files of other projects (`@modelcontextprotocol/sdk`'s `server/…`), as do the parentheses after
 * another repository's name (`wiroai/Wiro-MCP` (`src/client.ts`)).
 */
function spanPaths(page: string, prose: string): Reference[] {
  const refs: Reference[] = [];
  const ours = prose.replace(/`[\w-]+\/[\w.-]+`\s*\([^)]*\)/g, (other) => (ROOTED.test(other.slice(1)) ? other : ""));
  for (const [, span] of ours.matchAll(/`([^`\n]+)`/g)) {
    const tokens = span!.trim().split(/\s+/);
    for (const token of tokens) {
      const path = clean(token);
      if (!path || (tokens.length > 1 && !ROOTED.test(path))) continue;
      if (ROOTED.test(path) || page.startsWith("src/") || !path.includes("/")) refs.push(reference(page, path));
    }
  }
  return refs;
}

/** Relative links and images: [text](docs/x.md#anchor), from the page's folder. */
function linkPaths(page: string, prose: string): Reference[] {
  const refs: Reference[] = [];
  for (const [, target] of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^(\w+:|#)/.test(target!)) continue;
    const path = posix.normalize(posix.join(dirname(page), target!.replace(/#.*$/, "")));
    refs.push({ page, path, base: "", how: "exact" });
  }
  return refs;
}

/** A tree: each line starts with an entry (`src/http/`, `  app.ts`, `  submit/, poll/`) then its description. */
const TREE_LINE = /^( *)([^\s].*?)(?: {2,}(.*))?$/;

function treePaths(page: string, block: string[]): Reference[] {
  const refs: Reference[] = [];
  const folders: { indent: number; folder: string }[] = [];
  let scope = "";
  let column = Number.POSITIVE_INFINITY;
  for (const line of block) {
    const [, spaces, entry, description] = TREE_LINE.exec(line) ?? [];
    if (!entry) continue;
    const indent = spaces!.length;
    let text = `${entry} ${description ?? ""}`;
    if (indent < column) {
      // a new entry: its items, from the folder of the nearest entry less indented
      while (folders.length && folders.at(-1)!.indent >= indent) folders.pop();
      const parent = folders.at(-1)?.folder ?? "";
      const items = entry.replace(/\([^)]*\)?/g, "").split(/,\s*|\s+\+\s+/);
      const entered: string[] = [];
      for (const item of items.map((i) => clean(i.trim()) ?? (/^[\w.-]+\/$/.test(i.trim()) ? i.trim() : undefined))) {
        if (!item) continue;
        const path = ROOTED.test(item) || indent === 0 ? item : `${parent}${item}`;
        refs.push({ page, path, base: "", how: "exact" });
        if (path.endsWith("/")) entered.push(path);
      }
      scope = entered.length === 1 ? entered[0]! : parent;
      if (entered.length === 1) folders.push({ indent, folder: entered[0]! });
      if (description !== undefined) column = line.length - description.length;
      text = description ?? "";
    }
    // the file and folder names an entry's description lists live somewhere under that entry
    for (const [name] of text.matchAll(/(?<![\w./<>*-])[\w.-]+(?:\/[\w.-]+)*(?:\.\w+|\/)(?![\w-])/g)) {
      const path = clean(name) ?? (/^[\w-]+\/$/.test(name) ? name : undefined);
      if (!path) continue;
      if (ROOTED.test(path)) refs.push({ page, path, base: "", how: "exact" });
      else refs.push({ page, path, base: scope, how: "under" });
    }
  }
  return refs;
}

/**
 * In any other code block, the rooted paths (`node scripts/x.ts`, `cat src/y.ts`); in a drawing (a block
 * with no language) also relative ones such as machine/plan.ts, which must end some path of the repository.
 * Code in a language may name the reader's own files (`// my-app/run.mjs`).
 */
function blockPaths(page: string, block: string[], drawing: boolean): Reference[] {
  const paths = block
    .join(" ")
    .split(/[\s,]+/)
    .map(clean);
  const ours = paths.filter((p): p is string => !!p && p.includes("/") && (drawing || ROOTED.test(p)));
  return ours.map((p) => reference(page, p));
}

/** Every path one page names. */
function pathsIn(page: string): Reference[] {
  const text = readFileSync(join(root, page), "utf8");
  const refs: Reference[] = [];
  const prose: string[] = [];
  let block: string[] | undefined;
  let drawing = false;
  for (const line of text.split("\n")) {
    if (/^\s*```/.test(line)) {
      if (block) {
        const tree = block.find((l) => l.trim()) ?? "";
        if (/^[\w.-]+(\/[\w.-]*)* {2,}\S/.test(tree)) refs.push(...treePaths(page, block));
        else refs.push(...blockPaths(page, block, drawing));
        block = undefined;
      } else {
        block = [];
        drawing = /^\s*```\s*$/.test(line);
      }
    } else if (block) block.push(line);
    else prose.push(line);
  }
  refs.push(...spanPaths(page, prose.join("\n")), ...linkPaths(page, prose.join("\n")));
  return refs;
}

/** Generated files the docs name (packages/client/src/generated/) exist only after a build: git ignores them. */
function ignored(path: string): boolean {
  try {
    execFileSync("git", ["check-ignore", "-q", "--no-index", path], { cwd: root });
    return true;
  } catch {
    return false;
  }
}

function missing(refs: Reference[]): string[] {
  const gone = refs.filter((r) => !exists(r) && !ignored(`${r.base}${r.path}`));
  return gone.map((r) => `${r.page}: ${r.base}${r.path}`);
}

describe("paths written in the docs", () => {
  it.each(PAGES)("%s names only files and folders that exist", (page) => {
    expect(missing(pathsIn(page))).toEqual([]);
  });

  it("finds the paths it is meant to check (a tree, spans, links)", () => {
    const tree = pathsIn("docs/architecture.md").map((r) => r.path);
    const expected = ["src/http/", "src/http/openapi/", "job-object.ts", "worker-configuration.d.ts"];
    expect(tree).toEqual(expect.arrayContaining(expected));
    expect(pathsIn("README.md").map((r) => r.path)).toContain("docs/jobs.md");
  });

  it("reports a path that does not exist", () => {
    const wrong = treePaths("x.md", ["src/jobs/          gone.ts, job-object.ts", "  nowhere/          here.ts"]);
    const gone = ["x.md: src/jobs/gone.ts", "x.md: src/jobs/nowhere/", "x.md: src/jobs/nowhere/here.ts"];
    expect(missing(wrong)).toEqual(gone);
    expect(missing(spanPaths("y.md", "see `src/nope.ts` and `test/docs/`"))).toEqual(["y.md: src/nope.ts"]);
    const links = "[a](../NOPE.md#x), [b](testing.md), [c](https://x.dev/src/a.ts)";
    expect(missing(linkPaths("docs/z.md", links))).toEqual(["docs/z.md: NOPE.md"]);
    const drawing = ["load → plan (machine/nope.ts, pure)"];
    expect(missing(blockPaths("w.md", drawing, true))).toEqual(["w.md: machine/nope.ts"]);
  });

  it("leaves out globs, URLs, placeholders and other projects' files", () => {
    const spans = "`src/*.ts` `src/<resource>.ts` `https://x.dev/src/a.ts` `wiroai/Wiro-MCP` (`src/client.ts`)";
    expect(spanPaths("docs/v.md", spans)).toEqual([]);
    const anchored = spanPaths("docs/v.md", "`docs/jobs.md#why-a-job-ended` `src/index.ts:12`");
    expect(anchored.map((r) => r.path)).toEqual(["docs/jobs.md", "src/index.ts"]);
  });
});
