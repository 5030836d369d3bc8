// What `npm start` shows while its demo jobs run: one line per job (model, id, status, a bar
// towards the job's estimatedCompletionAt, time taken, outputs), redrawn in place on a terminal
// and printed once per change otherwise (a pipe or a CI log).

// biome-ignore lint/suspicious/noExplicitAny: the view prints fields of whatever the API answered
export type Job = Record<string, any>;

const TERMINAL = new Set(["succeeded", "failed", "canceled"]);
const BAR = 16;
const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: string, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
const MARK: Record<string, string> = {
  queued: paint("2", "·"),
  running: paint("36", "▸"),
  copying: paint("36", "▸"),
  succeeded: paint("32", "✓"),
  failed: paint("31", "✗"),
  canceled: paint("33", "–"),
};

function seconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
}

function bar(job: Job, now: number): string {
  if (job.status === "succeeded") return paint("32", "█".repeat(BAR));
  if (TERMINAL.has(job.status)) return paint("2", "░".repeat(BAR));
  const start = Date.parse(job.startedAt ?? job.createdAt);
  const end = Date.parse(job.estimatedCompletionAt ?? "");
  const share = Number.isFinite(end) && end > start ? Math.min(0.95, Math.max(0, (now - start) / (end - start))) : 0;
  const filled = Math.round(share * BAR);
  return paint("36", "█".repeat(filled)) + paint("2", "░".repeat(BAR - filled));
}

function outputsText(job: Job): string {
  if (job.error) return paint("31", `${job.error.code}: ${job.error.message}`);
  const stored = (job.outputs ?? []).filter((o: Job) => o.status === "stored");
  if (stored.length === 0) {
    if (job.status === "queued" && job.queuePosition) return `place ${job.queuePosition} in line`;
    const left = Date.parse(job.estimatedCompletionAt ?? "") - Date.now();
    return Number.isFinite(left) ? (left > 1000 ? `about ${seconds(left)} left` : "any moment now") : "";
  }
  const kinds = stored.map((o: Job) => o.kind as string);
  const n = kinds.length;
  return `${n} ${kinds[0]}${n === 1 ? "" : "s"}`;
}

export function jobLine(job: Job, now = Date.now()): string {
  const end = job.completedAt ? Date.parse(job.completedAt) : now;
  const took = seconds(end - Date.parse(job.createdAt));
  return `  ${MARK[job.status] ?? "?"} ${String(job.model).padEnd(42)} ${job.id}  ${String(job.status).padEnd(9)} ${bar(job, now)} ${took.padStart(7)}  ${outputsText(job)}`;
}

/** A line that wraps would break the redraw (it moves up one row per line): longer ones lose their colours and their end. */
function clip(line: string): string {
  const columns = process.stdout.columns ?? 200;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes are what is stripped
  const plain = line.replace(/\x1b\[[0-9;]*m/g, "");
  return plain.length < columns ? line : `${plain.slice(0, Math.max(10, columns - 2))}…`;
}

/** Draws the lines; on a terminal the next call overwrites the previous drawing. */
export function liveView(): { draw(lines: string[]): void; changed(job: Job): boolean } {
  let drawn = 0;
  const last = new Map<string, string>();
  return {
    draw(lines) {
      if (!process.stdout.isTTY) return;
      if (drawn) process.stdout.write(`\x1b[${drawn}A`);
      for (const line of lines) process.stdout.write(`\x1b[2K${clip(line)}\n`);
      drawn = lines.length;
    },
    /** Off a terminal: whether this job's status moved since it was last printed. */
    changed(job) {
      const before = last.get(job.id);
      last.set(job.id, job.status);
      return before !== job.status;
    },
  };
}
