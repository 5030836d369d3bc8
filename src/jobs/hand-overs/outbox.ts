// The webhook messages a status change produces, queued on the job itself (its outbox) so they
// are stored with the change and handed to their delivery objects after it.
import type { Config } from "../../config.ts";
import { buildMessage, transitionEvents } from "../../webhooks/events.ts";
import type { JobRecord } from "../record.ts";

/** `after` with the messages for the move from `before` queued; without valid settings none can be signed, so none are. */
export async function withEvents(before: JobRecord, after: JobRecord, config: Config | undefined): Promise<JobRecord> {
  if (!config) return after;
  const events = transitionEvents(before, after);
  if (events.length === 0) return after;
  const messages = await Promise.all(events.map((e) => buildMessage(after, e, config)));
  return { ...after, outbox: [...(after.outbox ?? []), ...messages] };
}
