// The record a job starts as: queued, due now, its poll schedule and deadline from the model's
// expected run time (tuned by what was learned about it).
import { MODELS } from "../providers/models.ts";
import type { NewJob } from "./job-client.ts";
import { runDeadlineMs } from "./machine/policies.ts";
import type { RunEstimate } from "./poll/run-times.ts";
import type { JobRecord } from "./record.ts";

export function newJobRecord(input: NewJob, estimate: RunEstimate, now: number): JobRecord {
  const model = MODELS[input.model];
  const expectedRunMs = Math.round(model.expectedRunMs(input.params) * estimate.factor);
  const { estimate: quoted, ...fields } = input;
  return {
    ...fields,
    // the quote it was admitted with; the actual cost comes from the provider
    cost: { estimate: quoted ?? null, actual: null },
    provider: model.provider,
    status: "queued",
    outputs: [],
    createdAt: now,
    updatedAt: now,
    polls: 0,
    attempts: 0,
    submitAttempts: 0,
    expectedRunMs,
    runSpread: estimate.spread,
    deadlineAt: now + runDeadlineMs(expectedRunMs),
    nextAt: now,
  };
}
