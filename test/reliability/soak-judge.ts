// The soak's verdict on each job: which calls to the simulator were made for it (found from the
// Idempotency-Key, the callback URL or the task they name) and whether the way the job ended fits
// the faults those calls met.
import type { SimTask } from "../../simulator/index.ts";
import { MAX_COPY_ATTEMPTS, MAX_POLL_ERRORS, MAX_SUBMIT_ATTEMPTS } from "../../src/jobs/machine/policies.ts";
import type { JobRecord } from "../../src/jobs/record.ts";
import { weshopRunKey } from "../../src/providers/weshop-run.ts";
import { type Exchange, type Outcome, outcomeOf } from "./soak-mix.ts";
import { TERMINAL } from "./support.ts";

/** Each job's calls to the simulator (media downloads included) and the provider task it made. */
export async function attribute(exchanges: Exchange[], tasks: SimTask[], jobIds: string[]) {
  const taskByExec = new Map(tasks.map((t) => [t.id, t]));
  const taskByToken = new Map(tasks.filter((t) => t.token).map((t) => [t.token!, t]));
  // a WeShop run's Idempotency-Key is derived from its job id
  const jobByKey = new Map(await Promise.all(jobIds.map(async (id) => [await weshopRunKey(id), id] as const)));
  const jobOfKey = (key: string | undefined) => (key === undefined ? undefined : jobByKey.get(key));
  const jobOfTask = (t: SimTask | undefined) =>
    t?.provider === "weshop"
      ? jobOfKey(t.idempotencyKey)
      : t?.callbackUrl?.match(/\/callbacks\/wiro\/(job_\w+)\//)?.[1];
  const jobOf = (ex: Exchange): string | undefined => {
    if (ex.target === "weshop.submit") return jobOfKey(ex.idempotencyKey);
    if (ex.target === "weshop.poll") return jobOfTask(taskByExec.get(ex.path.split("/").pop()!));
    if (ex.target === "media") return jobOfTask(taskByExec.get(ex.path.split("/")[3] ?? ""));
    try {
      const body = JSON.parse(ex.requestBody) as { callbackUrl?: string; tasktoken?: string; taskid?: string };
      if (ex.target === "wiro.run") return body.callbackUrl?.match(/\/callbacks\/wiro\/(job_\w+)\//)?.[1];
      return jobOfTask(body.tasktoken ? taskByToken.get(body.tasktoken) : taskByExec.get(String(body.taskid)));
    } catch {
      return undefined;
    }
  };
  const byJob = new Map<string, Exchange[]>();
  for (const ex of exchanges) {
    const id = jobOf(ex) ?? "unattributed";
    byJob.set(id, [...(byJob.get(id) ?? []), ex]);
  }
  const taskOf = new Map(tasks.map((t) => [jobOfTask(t) ?? `?${t.id}`, t]));
  return { byJob, taskOf };
}

/**
 * What is wrong with how each job ended, given the calls it made and its task; and how many jobs
 * ended each way ("succeeded", "failed:run_failed", ...).
 */
export function judge(
  jobs: JobRecord[],
  byJob: Map<string, Exchange[]>,
  taskOf: Map<string, SimTask>,
  cancels: Map<string, number>,
): { problems: string[]; codes: Map<string, number> } {
  const problems: string[] = [];
  const codes = new Map<string, number>();
  for (const job of jobs) {
    const note = (what: string) => problems.push(`${job.id} (${job.model}, ${job.status}/${job.error?.code}): ${what}`);
    const key = job.status === "succeeded" ? "succeeded" : `${job.status}:${job.error?.code}`;
    codes.set(key, (codes.get(key) ?? 0) + 1);
    if (!TERMINAL.has(job.status)) note("not finished");
    if (job.status !== "succeeded" && !(job.error?.code && job.error.message)) note("ended without a reason");
    const mine = byJob.get(job.id) ?? [];
    // a Wiro stop (Task/Detail by taskid, Cancel, Kill) comes after the job's end and decides nothing of it
    const stopCall = (ex: Exchange) =>
      ex.target === "wiro.cancel" ||
      ex.target === "wiro.kill" ||
      (ex.target === "wiro.detail" && ex.requestBody.includes('"taskid"'));
    const provider = mine.filter((ex) => ex.target !== "media" && !stopCall(ex));
    const outcomes = provider.map(outcomeOf);
    const task = taskOf.get(job.id);
    if (job.status === "canceled") {
      if (job.error?.code !== "canceled_by_client" || cancels.get(job.id) !== 200)
        note("canceled without being asked to");
      continue;
    }
    // the first answer that decides a job's fate
    // (a final answer decides only on a submit: on a status poll it is retried, issue 10)
    const decisive = provider.findIndex(
      (ex, i) =>
        (outcomes[i] === "final" && (ex.target === "weshop.submit" || ex.target === "wiro.run")) ||
        (ex.target === "wiro.run" && ["timeout", "malformed", "shape"].includes(outcomes[i]!)),
    );
    // a lost Wiro Run whose task's own callback named it is adopted (lost-submit.test.ts): the job then ends as its task did
    const adopted =
      decisive >= 0 &&
      provider[decisive]!.target === "wiro.run" &&
      outcomes[decisive] !== "final" &&
      job.task !== undefined &&
      job.error?.code !== "submit_uncertain";
    if (adopted && provider.slice(decisive + 1).some((ex) => ex.target === "wiro.run"))
      note("sent the Run again after its answer was lost");
    if (decisive >= 0 && !adopted) {
      const ex = provider[decisive]!;
      const expected =
        outcomes[decisive] === "final"
          ? ex.target.startsWith("wiro")
            ? "97"
            : "INSUFFICIENT_POWER"
          : "submit_uncertain";
      if (job.error?.code !== expected) note(`met ${outcomes[decisive]} at ${ex.target}, expected ${expected}`);
      if (provider.length > decisive + 1) note(`asked the provider again after ${outcomes[decisive]} at ${ex.target}`);
      continue;
    }
    if (job.error?.code === "provider_unavailable") {
      const submits = outcomes.filter(
        (_o, i) => provider[i]!.target.endsWith("submit") || provider[i]!.target === "wiro.run",
      );
      const polls = outcomes.filter(
        (_o, i) => provider[i]!.target.endsWith("poll") || provider[i]!.target === "wiro.detail",
      );
      const tail = (list: Outcome[], n: number) => list.length >= n && list.slice(-n).every((o) => o !== "ok");
      if (!tail(submits, MAX_SUBMIT_ATTEMPTS) && !tail(polls, MAX_POLL_ERRORS))
        note("gave up without meeting the retry cap");
      continue;
    }
    if (task?.outcome === "failed") {
      if (job.error?.code !== "run_failed") note("the provider's run failed, but the job says otherwise");
      continue;
    }
    if (job.error?.code === "run_failed") note("run_failed, but the provider's run did not fail");
    // outputs: each failed one is explained by the provider (partial) or by its downloads
    for (const output of job.outputs) {
      const fetches = mine.filter((ex) => ex.target === "media" && output.sourceUrl?.endsWith(ex.path));
      if (fetches.length > MAX_COPY_ATTEMPTS) note(`output ${output.index} fetched ${fetches.length} times`);
      if (output.status !== "failed") continue;
      const kinds = fetches.map(outcomeOf);
      // a poster or last frame is not fetched once its video could not be stored (that video is checked here too)
      const orphan =
        output.parent !== undefined &&
        fetches.length === 0 &&
        job.outputs.find((o) => o.index === output.parent)?.status === "failed";
      const explained =
        orphan ||
        (!output.sourceUrl
          ? task?.outcome === "partial"
          : kinds.includes("expired") || kinds.filter((k) => k !== "ok" && k !== "benign").length >= MAX_COPY_ATTEMPTS);
      if (!explained) note(`output ${output.index} failed (${output.error}) after ${JSON.stringify(kinds)}`);
    }
    if (job.status === "failed" && job.error?.code !== "media_copy_failed") note("failed with an unexpected code");
    if (job.status === "failed" && job.outputs.some((o) => o.status === "stored")) note("failed with a stored output");
    // a job that met no fault at all simply succeeds, every output stored
    const clean = mine.every((ex) => ["ok", "benign"].includes(outcomeOf(ex))) && task?.outcome === "success";
    if (clean && (job.status !== "succeeded" || job.outputs.some((o) => o.status !== "stored")))
      note("met no fault but did not succeed whole");
  }
  return { problems, codes };
}
