// The cron tick's safety net: unfinished jobs whose index entry has not moved for a while get
// their object woken, so no job can sleep forever because an alarm was lost.
import { idleUnfinishedJobs } from "../db/jobs-index.ts";
import { errorMessage } from "../lib/error-message.ts";
import { log } from "../lib/log.ts";
import { jobApi } from "./job-client.ts";
import { IDLE_MS } from "./machine/policies.ts";

const SWEEP_LIMIT = 100;

export async function sweepIdleJobs(env: Env, now: number): Promise<string[]> {
  const ids = await idleUnfinishedJobs(env.DB, IDLE_MS, now, SWEEP_LIMIT);
  const rearmed: string[] = [];
  await Promise.all(
    ids.map(async (id) => {
      try {
        if (await jobApi(env, id).rearm()) rearmed.push(id);
      } catch (err) {
        log("warn", "sweeper could not wake job", { jobId: id, error: errorMessage(err) });
      }
    }),
  );
  if (rearmed.length > 0) log("warn", "sweeper re-armed idle jobs", { count: rearmed.length });
  return rearmed;
}
