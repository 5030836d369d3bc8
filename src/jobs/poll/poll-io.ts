// The poll step's I/O: the slot's lease renewed now and then, the status request, and the cost a
// finished Wiro task reports. What the answer means is poll.ts's; a task the answer leaves in an
// unknown state (past its deadline, unreadable for good) may still run and bill, so the stop
// (stop/stop.ts `deadlineStop`) is decided right after, and made by the follow-ups.
import { withPolledCost } from "../../costs/actual.ts";
import type { Provider } from "../../providers/types.ts";
import { POLL_RENEW_MS } from "../machine/policies.ts";
import { tick } from "../machine/transitions.ts";
import type { JobRecord } from "../record.ts";
import { deadlineStop } from "../stop/stop.ts";
import { afterPoll } from "./poll.ts";

/** What the poll needs from the job object. */
export interface PollHost {
  renewSlot(job: JobRecord): Promise<void>;
}

export async function pollStep(
  host: PollHost,
  job: JobRecord,
  provider: Provider,
  signal: AbortSignal,
): Promise<JobRecord> {
  const renew = job.slotHeld === true && Date.now() - (job.slotRenewedAt ?? 0) >= POLL_RENEW_MS;
  if (renew) await host.renewSlot(job);
  const renewed = renew ? { ...job, slotRenewedAt: Date.now() } : job;
  const polled = await provider.poll(job.task!, { signal });
  const at = tick();
  // Wiro's totalcost comes with the status of a finished task
  return withPolledCost(deadlineStop(afterPoll(renewed, polled, at), at), polled);
}
