// The `seedrun` CLI as a user runs it (a child process, its stdout and stderr piped) against the
// local stack: exit codes 0/1/2, -p and --file, --json, one progress line per change when piped,
// downloads checked against the job's sha256, and Ctrl-C canceling the job at the server.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Job } from "../../packages/client/src/index.ts";
import { pngImage } from "../../simulator/media.ts";
import { clearFaults, client, injectFault, serverTakesFileUploads, stack } from "./helpers.ts";
import { KEYS } from "./stack.ts";

const CLI = resolve("packages/cli/dist/main.js");

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(args: string[]): { child: ChildProcess; done: Promise<Result>; stderr: () => string } {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, SEEDRUN_URL: stack().worker, SEEDRUN_API_KEY: KEYS.cli },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<Result>((resolve) => child.on("exit", (code) => resolve({ code, stdout, stderr })));
  return { child, done, stderr: () => stderr };
}

const seedrun = (...args: string[]) => start(args).done;
const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

let fileUploads = false;
beforeAll(async () => {
  fileUploads = await serverTakesFileUploads();
});
afterEach(clearFaults);

describe("seedrun run", () => {
  it("runs a job, prints a progress line per change, downloads every output and checks its sha256 (exit 0)", async () => {
    const out = mkdtempSync(join(tmpdir(), "seedrun-cli-"));
    const r = await seedrun(
      "run",
      "weshop/seedream",
      "-p",
      "textDescription=a lighthouse at night",
      "-p",
      "batchCount=2",
      "--out",
      out,
    );
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.trim().split("\n");
    const statuses = lines.map((l) => l.split(/\s+/)[1]);
    expect(statuses[0]).toBe("queued");
    expect(statuses).toContain("running");
    expect(lines.find((l) => l.split(/\s+/)[1] === "succeeded")).toBeDefined();
    // one line per change: never the same line twice in a row
    for (let i = 1; i < lines.length; i++) expect(lines[i]).not.toBe(lines[i - 1]);
    const paths = r.stdout.trim().split("\n");
    expect(paths).toHaveLength(2);
    const jobId = paths[0]!.split("/").at(-1)!.split("-")[0]!;
    const job = await client(KEYS.cli).jobs.get(jobId);
    for (const output of job.outputs) {
      const path = paths.find((p) => p.includes(`${job.id}-${output.index}.`));
      expect(path).toBeDefined();
      expect(sha256(path!)).toBe(output.sha256);
    }
  });

  it("prints the job and the checked files as JSON with --json", async () => {
    const out = mkdtempSync(join(tmpdir(), "seedrun-cli-"));
    const r = await seedrun(
      "run",
      "wiro/ByteDance/text-to-video-seedance-v1",
      "-p",
      "prompt=a bicycle",
      "-p",
      "duration=5",
      "--out",
      out,
      "--json",
    );
    expect(r.code, r.stderr).toBe(0);
    const body = JSON.parse(r.stdout) as { job: Job; files: { path: string; size: number; sha256: string }[] };
    expect(body.job.status).toBe("succeeded");
    expect(body.job.params).toMatchObject({ prompt: "a bicycle", duration: "5" });
    expect(body.files).toHaveLength(1);
    expect(body.files[0]!.sha256).toBe(sha256(body.files[0]!.path));
    expect(body.files[0]!.size).toBe(body.job.outputs[0]!.size);
  });

  it("exits 2 on a request the API refuses, showing every field error", async () => {
    const r = await seedrun("run", "weshop/seedream", "-p", "batchCount=99", "-p", "nope=1");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("validation_failed");
    for (const path of ["params.batchCount", "params.textDescription", "params.nope"]) expect(r.stderr).toContain(path);
  });

  it("exits 2 on bad usage", async () => {
    expect((await seedrun("run")).code).toBe(2);
    expect((await seedrun("run", "weshop/seedream", "-p", "novalue")).code).toBe(2);
    expect((await seedrun("frobnicate")).code).toBe(2);
  });

  it("exits 1 when the job fails, naming its error", async () => {
    await injectFault({ target: "weshop.submit", kind: "run_failed" });
    const r = await seedrun("run", "weshop/seedream", "-p", "textDescription=fails", "--json");
    expect(r.code).toBe(1);
    const body = JSON.parse(r.stdout) as { job: Job; error: { code: string } };
    expect(body.job.status).toBe("failed");
    expect(body.error.code).toBe(body.job.error?.code);
  });

  it("returns at once with --no-wait, and `jobs wait` follows the job to its end", async () => {
    const r = await seedrun("run", "weshop/seedream", "-p", "textDescription=later", "--no-wait");
    expect(r.code).toBe(0);
    const id = r.stdout.trim();
    expect(id).toMatch(/^job_/);
    const waited = await seedrun("jobs", "wait", id, "--json");
    expect(waited.code, waited.stderr).toBe(0);
    expect((JSON.parse(waited.stdout) as { job: Job }).job.status).toBe("succeeded");
    const listed = JSON.parse((await seedrun("jobs", "list", "--json", "--limit", "100")).stdout) as { data: Job[] };
    expect(listed.data.map((j) => j.id)).toContain(id);
  });

  it("uploads --file and passes its URL as an array element of an array field", async (ctx) => {
    if (!fileUploads) ctx.skip("the server does not take the `file` upload field yet (uploads branch not merged)");
    const dir = mkdtempSync(join(tmpdir(), "seedrun-cli-"));
    const image = join(dir, "fox.png");
    writeFileSync(image, pngImage("cli-file"));
    const r = await seedrun(
      "run",
      "weshop/seedance",
      "-p",
      "textDescription=the fox runs",
      "--file",
      `images=${image}`,
      "--out",
      dir,
      "--json",
    );
    expect(r.code, r.stderr).toBe(0);
    const { job } = JSON.parse(r.stdout) as { job: Job };
    const images = (job.params as { images: string[] }).images;
    expect(images).toHaveLength(1);
    expect(new Uint8Array(await (await fetch(images[0]!)).arrayBuffer())).toEqual(pngImage("cli-file"));
  });

  it("draws a live bar with the status and ETA on a terminal", async (ctx) => {
    // util-linux `script` gives the CLI a pseudo-terminal, as a user's shell would
    if (spawnSync("script", ["--version"]).status !== 0) ctx.skip("no `script` command for a pseudo-terminal here");
    const dir = mkdtempSync(join(tmpdir(), "seedrun-cli-"));
    const command = [
      process.execPath,
      CLI,
      "run",
      "weshop/seedream",
      "-p",
      "textDescription=on a terminal",
      "--out",
      dir,
    ]
      .map((a) => `'${a}'`)
      .join(" ");
    const tty = spawn("script", ["-qfec", command, "/dev/null"], {
      env: { ...process.env, SEEDRUN_URL: stack().worker, SEEDRUN_API_KEY: KEYS.cli, COLUMNS: "120" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let screen = "";
    tty.stdout.on("data", (c: Buffer) => (screen += c.toString()));
    const code = await new Promise<number | null>((resolve) => tty.on("exit", resolve));
    expect(code, screen).toBe(0);
    expect(screen).toMatch(/[█░]{30} (queued|running)/);
    expect(screen).toMatch(/ETA \d+(m\d+)?s/);
    expect(screen).toContain("downloading");
    expect(screen).toContain(dir);
  });

  it("cancels the job at the server on Ctrl-C and exits 1", async () => {
    const run = start(["run", "wiro/ByteDance/text-to-video-seedance-v1", "-p", "prompt=interrupt me"]);
    // wait until the job runs at the provider, then interrupt like a terminal would
    for (let i = 0; i < 200 && !/\srunning\b/.test(run.stderr()); i++) await new Promise((r) => setTimeout(r, 100));
    const id = run.stderr().split(/\s+/)[0]!;
    expect(id).toMatch(/^job_/);
    run.child.kill("SIGINT");
    const r = await run.done;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("canceled");
    expect((await client(KEYS.cli).jobs.get(id)).status).toBe("canceled");
  });
});

describe("seedrun batch, quote, models", () => {
  it("runs a JSONL batch with a line per change of its counts and downloads every output", async () => {
    const dir = mkdtempSync(join(tmpdir(), "seedrun-cli-"));
    const file = join(dir, "jobs.jsonl");
    writeFileSync(
      file,
      `${JSON.stringify({ model: "weshop/seedream", params: { textDescription: "one" } })}\n\n${JSON.stringify({ model: "wiro/ByteDance/text-to-video-seedance-v1", params: { prompt: "two" } })}\n`,
    );
    const r = await seedrun("batch", file, "--out", join(dir, "out"), "--json");
    expect(r.code, r.stderr).toBe(0);
    const body = JSON.parse(r.stdout) as {
      batch: { total: number; counts: { succeeded: number } };
      files: { path: string; sha256: string }[];
    };
    expect(body.batch.total).toBe(2);
    expect(body.batch.counts.succeeded).toBe(2);
    expect(body.files).toHaveLength(2);
    for (const f of body.files) expect(sha256(f.path)).toBe(f.sha256);
    expect(r.stderr).toMatch(/^2\/2 .*completed/m);
  });

  it("quotes without creating a job, and lists the models", async () => {
    const before = (await client(KEYS.cli).jobs.list().page()).data.length;
    const quote = await seedrun("quote", "weshop/seedream", "-p", "textDescription=priced", "--json");
    expect(quote.code, quote.stderr).toBe(0);
    expect((JSON.parse(quote.stdout) as { total: { unit: string }[] }).total[0]!.unit).toBe("weshop_power");
    expect((await client(KEYS.cli).jobs.list().page()).data.length).toBe(before);
    const models = await seedrun("models");
    expect(models.code).toBe(0);
    expect(models.stdout).toContain("wiro/ByteDance/text-to-video-seedance-v1");
    const one = await seedrun("models", "weshop/seedance", "--json");
    expect(one.code, one.stderr).toBe(0);
    // what --file reads to put a URL into an array field
    expect(
      (JSON.parse(one.stdout) as { paramsSchema: { properties: { images: { type: string } } } }).paramsSchema.properties
        .images.type,
    ).toBe("array");
  });
});
