// `seedrun run` and `seedrun jobs wait`: follow a job with the progress display, then download
// and check its outputs. Ctrl-C during `run` cancels the job at the server (a second one quits).
import { type Job, type Seedrun, SeedrunError } from "@seedrun/client";
import { type Downloaded, downloadOutputs, storedOutputs } from "./download.ts";
import { EXIT, printJson, report } from "./output.ts";
import { addFiles, parseParams } from "./params.ts";
import { createProgress, jobLine, type Progress } from "./progress.ts";

export interface RunFlags {
  param: string[];
  file: string[];
  out: string;
  wait: boolean;
  json: boolean;
  download?: boolean;
}

/** Downloads the jobs' outputs (unless told not to) and prints the paths or, with --json, `{job(s), files}`. */
export async function finish(
  jobs: Job[],
  flags: Pick<RunFlags, "out" | "json" | "download">,
  progress: Progress,
): Promise<Downloaded[]> {
  let files: Downloaded[] = [];
  if (flags.download !== false) {
    const total = jobs.flatMap(storedOutputs).reduce((sum, o) => sum + (o.size ?? 0), 0);
    if (total > 0) progress.downloading(total);
    try {
      files = await downloadOutputs(jobs, flags.out, (n) => progress.bytes(n));
    } finally {
      progress.stop();
    }
  }
  progress.stop();
  if (!flags.json) for (const file of files) process.stdout.write(`${file.path}\n`);
  return files;
}

/** Cancels through `controller` on the first Ctrl-C; quits on the second. */
function onInterrupt(controller: AbortController, progress: Progress): () => void {
  const handler = () => {
    if (controller.signal.aborted) process.exit(EXIT.failed);
    progress.note("canceling the job at the server… (Ctrl-C again to quit now)");
    controller.abort(new Error("interrupted"));
  };
  process.on("SIGINT", handler);
  return () => process.off("SIGINT", handler);
}

export async function runCommand(sr: Seedrun, model: string, flags: RunFlags): Promise<number> {
  const params = parseParams(flags.param);
  await addFiles(sr, model, params, flags.file);
  if (!flags.wait) {
    const job = await sr.jobs.create({ model, params } as never);
    if (flags.json) printJson(job);
    else process.stdout.write(`${job.id}\n`);
    return EXIT.ok;
  }
  const progress = createProgress();
  const controller = new AbortController();
  const release = onInterrupt(controller, progress);
  let job: Job;
  try {
    job = await sr.run(model as never, params as never, {
      signal: controller.signal,
      onProgress: (j) => progress.job(j),
    });
  } catch (err) {
    progress.stop();
    if (err instanceof SeedrunError && err.job) return endedBadly(err.job, err, flags.json);
    throw err;
  } finally {
    release();
  }
  const files = await finish([job], flags, progress);
  if (flags.json) printJson({ job, files });
  return EXIT.ok;
}

function endedBadly(job: Job, err: SeedrunError, json: boolean): number {
  if (json) printJson({ job, error: { code: err.code, detail: err.detail } });
  else process.stderr.write(`${jobLine(job)}\n`);
  return EXIT.failed;
}

/** `seedrun jobs wait ID`: follows a job someone started; Ctrl-C stops watching (the job goes on). */
export async function waitCommand(
  sr: Seedrun,
  id: string,
  flags: Pick<RunFlags, "out" | "json" | "download">,
): Promise<number> {
  const progress = createProgress();
  const job = await sr.jobs.wait(id, { onProgress: (j) => progress.job(j) });
  progress.stop();
  if (job.status !== "succeeded")
    return endedBadly(job, new SeedrunError({ status: 0, code: job.status, title: job.status }), flags.json);
  const files = await finish([job], flags, progress);
  if (flags.json) printJson({ job, files });
  return EXIT.ok;
}

export { report };
