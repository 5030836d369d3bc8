// The commands other than `run`: jobs, batch, pipeline, quote, models, keys. Each prints a
// short human form, or the API's JSON with --json, and returns its exit code.
import { readFile } from "node:fs/promises";
import type { Job, Seedrun } from "@seedrun/client";
import { EXIT, printJson } from "./output.ts";
import { parseParams, UsageError } from "./params.ts";
import { createProgress } from "./progress.ts";
import { finish } from "./run.ts";

export interface Flags {
  json: boolean;
  out?: string;
  wait?: boolean;
}

const line = (...parts: unknown[]) =>
  process.stdout.write(`${parts.filter((p) => p !== undefined && p !== "").join("  ")}\n`);

export async function jobsList(
  sr: Seedrun,
  options: { status?: string; model?: string; limit: string; all?: boolean },
  flags: Flags,
): Promise<number> {
  const limit = Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError("--limit must be a positive integer");
  const jobs: Job[] = [];
  const query = {
    ...(options.status ? { status: options.status } : {}),
    ...(options.model ? { model: options.model } : {}),
    limit: Math.min(100, limit),
  };
  for await (const job of sr.jobs.list(query as never)) {
    jobs.push(job);
    if (!options.all && jobs.length >= limit) break;
  }
  if (flags.json) printJson({ data: jobs });
  else for (const job of jobs) line(job.id, job.status.padEnd(9), job.model, job.createdAt);
  return EXIT.ok;
}

export async function jobsShow(job: Job, flags: Flags): Promise<number> {
  if (flags.json) printJson(job);
  else {
    line(job.id, job.status, job.model, job.createdAt);
    for (const o of job.outputs) line(`  #${o.index}`, o.kind, o.status, o.size ? `${o.size} bytes` : "", o.url ?? "");
  }
  return EXIT.ok;
}

async function readJsonl(path: string): Promise<unknown[]> {
  const text = await readFile(path, "utf8").catch(() => {
    throw new UsageError(`cannot read ${path}`);
  });
  return text
    .split("\n")
    .map((l, i) => [l.trim(), i + 1] as const)
    .filter(([l]) => l !== "")
    .map(([l, n]) => {
      try {
        return JSON.parse(l) as unknown;
      } catch {
        throw new UsageError(`${path}:${n}: not a JSON object`);
      }
    });
}

export async function batchCommand(sr: Seedrun, file: string, flags: Flags & { out: string }): Promise<number> {
  const jobs = await readJsonl(file);
  let batch = await sr.batches.create({ jobs } as never);
  if (flags.wait === false) {
    if (flags.json) printJson(batch);
    else line(batch.id);
    return EXIT.ok;
  }
  const progress = createProgress();
  progress.note(`${batch.id}: ${batch.total} jobs`);
  batch = await sr.batches.wait(batch.id, {
    intervalMs: 1000,
    onProgress: (b) => {
      const ended = b.counts.succeeded + b.counts.failed + b.counts.canceled;
      const counts = Object.entries(b.counts)
        .filter(([, n]) => n > 0)
        .map(([status, n]) => `${status} ${n}`)
        .join(", ");
      progress.count(ended, b.total, `${b.id}  ${b.status}  ${counts}`);
    },
  });
  const finished = await sr.batches.jobs(batch.id).all();
  const ok = finished.filter((j) => j.status === "succeeded");
  const files = await finish(ok, { out: flags.out, json: flags.json }, progress);
  if (flags.json) printJson({ batch, jobs: finished, files });
  return ok.length === finished.length ? EXIT.ok : EXIT.failed;
}

export async function pipelineCommand(sr: Seedrun, file: string, flags: Flags & { out: string }): Promise<number> {
  let spec: unknown;
  try {
    spec = JSON.parse(await readFile(file, "utf8"));
  } catch {
    throw new UsageError(`${file}: cannot read it as JSON`);
  }
  let pipeline = await sr.pipelines.create(spec as never);
  if (flags.wait === false) {
    if (flags.json) printJson(pipeline);
    else line(pipeline.id);
    return EXIT.ok;
  }
  const progress = createProgress();
  pipeline = await sr.pipelines.wait(pipeline.id, {
    intervalMs: 1000,
    onProgress: (p) => {
      const ended = p.steps.filter((s) => !["waiting", "running"].includes(s.status)).length;
      progress.count(
        ended,
        p.steps.length,
        `${p.id}  ${p.status}  ${p.steps.map((s) => `${s.id}: ${s.status}`).join(", ")}`,
      );
    },
  });
  const jobs = (await sr.pipelines.jobs(pipeline.id).all()).filter((j) => j.status === "succeeded");
  const files = await finish(jobs, { out: flags.out, json: flags.json }, progress);
  if (flags.json) printJson({ pipeline, files });
  return pipeline.status === "succeeded" ? EXIT.ok : EXIT.failed;
}

export async function quoteCommand(sr: Seedrun, model: string, params: string[], flags: Flags): Promise<number> {
  const quote = await sr.quote({ model, params: parseParams(params) } as never);
  if (flags.json) printJson(quote);
  else for (const t of quote.total) line(t.amount, t.unit);
  return EXIT.ok;
}

export async function modelsCommand(sr: Seedrun, id: string | undefined, flags: Flags): Promise<number> {
  if (id) {
    const model = await sr.models.get(id);
    if (flags.json) printJson(model);
    else line(JSON.stringify(model, null, 2));
    return EXIT.ok;
  }
  const models = await sr.models.list();
  if (flags.json) printJson({ data: models });
  else
    for (const m of models) line(m.id, (m as { output?: string }).output, (m as { description?: string }).description);
  return EXIT.ok;
}

export async function keysCommand(
  sr: Seedrun,
  action: string,
  args: { name?: string; id?: string; scope: string[]; expiresAt?: string },
  flags: Flags,
): Promise<number> {
  if (action === "list") {
    const keys = await sr.keys.list();
    if (flags.json) printJson({ data: keys });
    else for (const k of keys) line(k.id, k.name, k.prefix, k.scopes.join(","), k.expiresAt ?? "");
  } else if (action === "create") {
    if (!args.name) throw new UsageError("keys create NAME: a name is required");
    const key = await sr.keys.create({
      name: args.name,
      scopes: args.scope,
      ...(args.expiresAt ? { expiresAt: args.expiresAt } : {}),
    } as never);
    if (flags.json) printJson(key);
    else line(key.key, `(${key.id}; shown only now)`);
  } else if (action === "delete") {
    if (!args.id) throw new UsageError("keys delete ID: an id is required");
    await sr.keys.delete(args.id);
    if (flags.json) printJson({ deleted: args.id });
  } else throw new UsageError(`keys ${action}: expected list, create or delete`);
  return EXIT.ok;
}
