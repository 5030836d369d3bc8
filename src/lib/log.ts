// JSON-lines logging: one JSON object per line, so Workers Observability (and `wrangler tail`)
// can filter on any field. A Logger carries bound fields (requestId, jobId, batchId, pipelineId…)
// that every line it writes repeats, so a request's or a job's whole story is one query away.
// Callers pass plain facts; never pass env, headers, provider bodies, tokens or signed URLs.
type Level = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger whose lines also carry `fields` (later bindings win). */
  with(fields: LogFields): Logger;
  /** Adds fields to this logger itself: the request's access line learns the job it created. */
  bind(fields: LogFields): void;
  /** The fields bound so far. */
  readonly fields: Readonly<LogFields>;
}

function write(level: Level, msg: string, fields: LogFields): void {
  const entry: LogFields = { level, msg, time: new Date().toISOString() };
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) entry[key] = value;
  const line = JSON.stringify(entry);
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

export function logger(bound: LogFields = {}): Logger {
  const fields: LogFields = { ...bound };
  const at =
    (level: Level) =>
    (msg: string, extra: LogFields = {}) =>
      write(level, msg, { ...fields, ...extra });
  return {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    with: (more) => logger({ ...fields, ...more }),
    bind: (more) => void Object.assign(fields, more),
    fields,
  };
}

/** One line with no bound fields (code that has no request or job to speak of). */
export function log(level: Level, msg: string, fields: LogFields = {}): void {
  write(level, msg, fields);
}

/** The ids of the job, batch or pipeline a path or `Location` names (`/v1/jobs/job_…`), for binding to a request's lines. */
export function subjectOf(path: string | null | undefined): LogFields {
  const subject: LogFields = {};
  if (!path) return subject;
  for (const [key, re] of SUBJECTS) {
    const m = re.exec(path);
    if (m) subject[key] = m[1];
  }
  return subject;
}

const SUBJECTS: [string, RegExp][] = [
  ["jobId", /\/(job_[0-9a-z]+)(?:[/?]|$)/],
  ["batchId", /\/(batch_[0-9a-z]+)(?:[/?]|$)/],
  ["pipelineId", /\/(pipe(?:line)?_[0-9a-z]+)(?:[/?]|$)/],
  ["scheduleId", /\/(sched(?:ule)?_[0-9a-z]+)(?:[/?]|$)/],
];
