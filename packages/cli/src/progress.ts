// What the user sees while a job runs, on stderr (stdout stays for results). On a terminal: a
// live cli-progress bar with the status, the place in line and an ETA that counts down between
// updates, then the bytes of the downloads. Piped (CI logs, files): one plain line per change.

import type { Job } from "@seedrun/client";
import cliProgress from "cli-progress";

export interface Progress {
  job(job: Job): void;
  /** Many things at once (a batch, a pipeline): `done` of `total`, and a summary. */
  count(done: number, total: number, text: string): void;
  /** A line that is not progress (a file downloaded, a warning). */
  note(text: string): void;
  downloading(totalBytes: number): void;
  bytes(received: number): void;
  stop(): void;
}

type Live = Job & { queuePosition?: number | null };

function place(job: Live): string {
  return typeof job.queuePosition === "number" && job.status === "queued" ? `#${job.queuePosition} in line` : "";
}

function secondsLeft(job: Job, now = Date.now()): number | undefined {
  if (!job.estimatedCompletionAt) return undefined;
  return Math.max(0, Math.round((Date.parse(job.estimatedCompletionAt) - now) / 1000));
}

function eta(job: Job): string {
  const left = secondsLeft(job);
  if (left === undefined) return "";
  return left >= 60 ? `ETA ${Math.floor(left / 60)}m${String(left % 60).padStart(2, "0")}s` : `ETA ${left}s`;
}

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** One line of a job's state, as printed when piped. */
export function jobLine(job: Job): string {
  const parts = [job.id, job.status, place(job as Live), eta(job)];
  if (job.status === "failed" || job.status === "canceled") {
    const error = (job as { error?: { code: string; message: string } | null }).error;
    if (error) parts.push(`${error.code}: ${error.message}`);
  }
  return parts.filter(Boolean).join("  ");
}

/** How far along the job is, 0–100, from its start and its estimated end. */
function percent(job: Job): number {
  if (job.status === "succeeded") return 100;
  const end = job.estimatedCompletionAt ? Date.parse(job.estimatedCompletionAt) : Number.NaN;
  const start = Date.parse(job.createdAt);
  if (!Number.isFinite(end) || end <= start) return job.status === "copying" ? 90 : 0;
  return Math.min(99, Math.max(0, Math.round(((Date.now() - start) / (end - start)) * 100)));
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return pipedProgress(stream);
  let current: Job | undefined;
  let mode: "job" | "count" | "bytes" = "job";
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: (options, params, payload: { text?: string }) => {
        const size = options.barsize ?? 30;
        const filled = Math.round(params.progress * size);
        return `${"█".repeat(filled)}${"░".repeat(size - filled)} ${payload.text ?? ""}`;
      },
      barsize: 30,
      hideCursor: true,
      clearOnComplete: false,
      fps: 8,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  const render = () => {
    if (!current || mode !== "job") return;
    const text = [current.status.padEnd(9), place(current as Live), eta(current)].filter(Boolean).join("  ");
    if (!started) {
      bar.start(100, percent(current), { text });
      started = true;
    } else bar.update(percent(current), { text });
  };
  // the ETA counts down between the server's updates
  const ticker = setInterval(render, 500);
  ticker.unref();
  let total = 0;
  return {
    job(job) {
      current = job;
      render();
    },
    count(done, of, text) {
      mode = "count";
      if (!started) bar.start(Math.max(1, of), done, { text });
      else {
        bar.setTotal(Math.max(1, of));
        bar.update(done, { text });
      }
      started = true;
    },
    note(text) {
      stream.write(`\r\x1b[2K${text}\n`);
      if (started) bar.render();
    },
    downloading(totalBytes) {
      mode = "bytes";
      total = Math.max(1, totalBytes);
      if (!started) bar.start(total, 0, { text: "" });
      started = true;
      bar.setTotal(total);
      bar.update(0, { text: `downloading 0 / ${mib(total)}` });
    },
    bytes(received) {
      bar.update(received, { text: `downloading ${mib(received)} / ${mib(total)}` });
    },
    stop() {
      clearInterval(ticker);
      if (started) bar.stop();
    },
  };
}

function pipedProgress(stream: NodeJS.WritableStream): Progress {
  let last = "";
  return {
    job(job) {
      // a line per change the reader can see (an ETA moved by less than a second prints nothing)
      const line = jobLine(job);
      if (line === last) return;
      last = line;
      stream.write(`${line}\n`);
    },
    count(done, total, text) {
      const line = `${done}/${total}  ${text}`;
      if (line === last) return;
      last = line;
      stream.write(`${line}\n`);
    },
    note(text) {
      stream.write(`${text}\n`);
    },
    downloading(totalBytes) {
      stream.write(`downloading ${mib(totalBytes)}\n`);
    },
    bytes() {},
    stop() {},
  };
}
