// Both packages as a user gets them: `npm pack` (whose prepack builds each), the tarballs
// installed into an empty folder outside the repository (no workspace links), then a script
// using @seedrun/client, a TypeScript file compiled against its declarations, and the
// `seedrun` command, all against the local stack.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expect, it } from "vitest";
import { stack } from "./helpers.ts";
import { KEYS } from "./stack.ts";

const ROOT = resolve(".");

it("installs from the npm pack tarballs alone and runs a script, typed code and the CLI", { timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "seedrun-pack-"));
  execFileSync("npm", ["pack", "-w", "@seedrun/client", "-w", "@seedrun/cli", "--pack-destination", dir], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "pipe"],
  });
  const tarballs = readdirSync(dir).filter((f) => f.endsWith(".tgz"));
  expect(tarballs.sort()).toEqual(["seedrun-cli-0.1.0.tgz", "seedrun-client-0.1.0.tgz"]);

  const app = join(dir, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  execFileSync(
    "npm",
    ["install", "--no-audit", "--no-fund", "--prefer-offline", ...tarballs.map((t) => join(dir, t))],
    {
      cwd: app,
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  // real folders from the tarballs, not links into the repository
  expect(lstatSync(join(app, "node_modules/@seedrun/client")).isSymbolicLink()).toBe(false);
  expect(existsSync(join(app, "node_modules/@seedrun/client/src"))).toBe(false);

  // the machine's own Node (npm scripts put the project's Node 22 first on PATH; a user's may be 20)
  const PATH = (process.env.PATH ?? "")
    .split(":")
    .filter((dir) => !dir.includes("node_modules"))
    .join(":");
  const env = { ...process.env, PATH, SEEDRUN_URL: stack().worker, SEEDRUN_API_KEY: KEYS.pack };
  writeFileSync(
    join(app, "script.mjs"),
    `import { Seedrun, SeedrunError } from "@seedrun/client";
const sr = new Seedrun();
const job = await sr.run("weshop/seedream", { textDescription: "from a tarball" });
const refused = await sr.run("weshop/seedream", { textDescription: "" }).catch((e) => e);
console.log(JSON.stringify({ status: job.status, stored: job.outputs.length, refused: refused instanceof SeedrunError && refused.code }));
`,
  );
  const script = spawnSync("node", ["script.mjs"], { cwd: app, env, encoding: "utf8" });
  expect(script.status, script.stderr).toBe(0);
  expect(JSON.parse(script.stdout)).toEqual({ status: "succeeded", stored: 1, refused: "validation_failed" });

  // the declarations work for a TypeScript user: a right call compiles, a wrong model and a wrong param do not
  writeFileSync(
    join(app, "typed.ts"),
    `import { Seedrun, type Job } from "@seedrun/client";
const sr = new Seedrun();
export const ok: Promise<Job> = sr.run("wiro/ByteDance/text-to-video-seedance-v1", { prompt: "typed" });
// @ts-expect-error not a model
export const badModel = sr.run("weshop/nope", { prompt: "x" });
// @ts-expect-error seedream has no prompt
export const badParam = sr.run("weshop/seedream", { prompt: "x" });
`,
  );
  const tsc = spawnSync(
    process.execPath,
    [
      join(ROOT, "node_modules/typescript/bin/tsc"),
      "--noEmit",
      "--strict",
      "--module",
      "nodenext",
      "--moduleResolution",
      "nodenext",
      "--target",
      "es2022",
      "--lib",
      "es2023,dom",
      "typed.ts",
    ],
    { cwd: app, encoding: "utf8" },
  );
  expect(tsc.status, tsc.stdout).toBe(0);

  const bin = join(app, "node_modules/.bin/seedrun");
  const models = spawnSync(bin, ["models", "--json"], { cwd: app, env, encoding: "utf8" });
  expect(models.status, models.stderr).toBe(0);
  expect((JSON.parse(models.stdout) as { data: unknown[] }).data).toHaveLength(4);
  const run = spawnSync(bin, ["run", "weshop/seedream", "-p", "textDescription=from the packed CLI", "--out", "out"], {
    cwd: app,
    env,
    encoding: "utf8",
  });
  expect(run.status, run.stderr).toBe(0);
  const [path] = run.stdout.trim().split("\n");
  expect(existsSync(path!)).toBe(true);
});
