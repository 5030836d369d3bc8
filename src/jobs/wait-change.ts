// A reader waiting for a job to change (live status, `Prefer: wait`): woken by the job object's
// save through `waiters`, or at its timeout.
import { isTerminal } from "./machine/transitions.ts";
import type { JobRecord } from "./record.ts";

export async function waitForChange(
  load: () => JobRecord | undefined,
  waiters: Set<() => void>,
  tenant: string,
  since: number,
  timeoutMs: number,
): Promise<JobRecord | null> {
  const deadline = Date.now() + Math.min(timeoutMs, 60_000);
  for (;;) {
    const job = load();
    if (!job || job.tenant !== tenant) return null;
    const remaining = deadline - Date.now();
    if (job.updatedAt > since || isTerminal(job.status) || remaining <= 0) return job;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, remaining);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      waiters.add(done);
    });
  }
}
