import { afterAll, describe, expect } from "vitest";
import type { FaultKind, FaultTarget } from "../../simulator/index.ts";
import { LEASE_MS } from "../../src/jobs/gate/gate-client.ts";
import { MAX_POLL_ERRORS, MAX_SUBMIT_ATTEMPTS, RETRY_CAP_MS } from "../../src/jobs/machine/policies.ts";
import { weshopRunKey } from "../../src/providers/weshop-run.ts";
import { it } from "../support/fixture.ts";
import { getJob } from "../support/harness.ts";
import { seeded } from "../support/seeded.ts";
import { ceiling, driveNotingBackoff, figure, isSubmit, jobAt, jobBefore } from "./matrix-support.ts";
import { drive, driveCounting, stepAlarm } from "./steps.ts";
import { cancelOpenJobs, intIn, requestsTo, restoreProviderPace, tasksPerJob } from "./support.ts";

it.beforeEach(async () => {
  await restoreProviderPace();
});
it.afterEach(async ({ h }) => {
  await cancelOpenJobs(h);
});

describe("provider 5xx, N times", () => {
  const rand = seeded(5);
  const cases: [FaultTarget, FaultKind, number][] = [];
  for (const target of ["weshop.submit", "weshop.poll", "wiro.run", "wiro.detail"] as const)
    for (const kind of ["http500", "http503"] as const) cases.push([target, kind, intIn(rand, 1, 4)]);

  it.for(cases)(
    "%s %s ×%i: capped full-jitter backoff, then success with one provider task",
    async ([target, kind, n], { h }) => {
      const { id, attempts: before } = await jobBefore(h, target);
      h.sim.inject({ target, kind, times: n });
      const { job, backoffs } = await driveNotingBackoff(h, id);
      expect(job.status).toBe("succeeded");
      const calls = requestsTo(h, target).length;
      if (isSubmit(target))
        expect(
          calls,
          JSON.stringify({
            before,
            n,
            reqs: h.sim.requests.map((r) => [r.target, r.at]),
            job: { a: job.attempts, s: job.submitAttempts },
          }),
        ).toBe(before + n + 1);
      else expect(calls).toBeGreaterThanOrEqual(n + 1);
      // attempts <= cap
      expect(before + n + 1).toBeLessThanOrEqual(isSubmit(target) ? MAX_SUBMIT_ATTEMPTS : MAX_POLL_ERRORS);
      // one backoff per failed attempt, each within its full-jitter ceiling
      expect(backoffs.map((b) => b.attempts)).toEqual(Array.from({ length: n }, (_, i) => before + i + 1));
      for (const b of backoffs) {
        expect(b.delay).toBeGreaterThan(0);
        expect(b.delay).toBeLessThanOrEqual(ceiling(b.attempts));
      }
      // 0 duplicate provider tasks
      expect(h.sim.tasks()).toHaveLength(1);
      expect((await tasksPerJob(h)).get(id)).toBe(1);
      if (target === "weshop.submit")
        expect(new Set(requestsTo(h, target).map((r) => r.headers["idempotency-key"]))).toEqual(
          new Set([await weshopRunKey(id)]),
        );
    },
  );

  it.for([
    ["weshop.submit", "http500"],
    ["wiro.run", "http503"],
    ["weshop.poll", "http503"],
    ["wiro.detail", "http500"],
  ] as const)(
    "%s %s without end: failed after the cap with the last error; delays capped and jittered",
    async ([target, kind], { h }) => {
      const { id, attempts: before } = await jobBefore(h, target);
      // the job's own calls; a Wiro stop after it gave up reads Task/Detail by taskid, not counted here
      const calls = () => requestsTo(h, target).filter((r) => !r.body.includes('"taskid"')).length;
      const callsBefore = calls();
      h.sim.inject({ target, kind, times: 1000 });
      const { job, backoffs } = await driveNotingBackoff(h, id);
      const cap = isSubmit(target) ? MAX_SUBMIT_ATTEMPTS : MAX_POLL_ERRORS;
      expect(job.status).toBe("failed");
      expect(job.error).toMatchObject({ code: "provider_unavailable", retryable: true });
      // the reason names the provider's last answer
      expect(job.lastProviderError).toBeTruthy();
      expect(job.error!.message).toContain(job.lastProviderError!);
      // attempts = cap, counting the one the job had already made
      expect(calls() - callsBefore).toBe(cap - before);
      expect(h.sim.tasks()).toHaveLength(isSubmit(target) ? 0 : 1);
      for (const b of backoffs) expect(b.delay).toBeLessThanOrEqual(Math.min(RETRY_CAP_MS, ceiling(b.attempts)));
      // full jitter: the delays are spread below their ceilings, not pinned to them
      expect(backoffs.length).toBeGreaterThanOrEqual(cap - 2 - before);
      expect(backoffs.filter((b) => b.delay < 0.9 * ceiling(b.attempts)).length).toBeGreaterThan(0);
    },
  );
});

describe("429 / Wiro code 96 with or without Retry-After (seconds or HTTP date)", () => {
  const targets = ["weshop.submit", "weshop.poll", "wiro.run", "wiro.detail"] as const;
  const forms = ["seconds", "http-date", "none"] as const;
  const margins: number[] = [];

  it.for(targets.flatMap((t) => forms.map((f) => [t, f] as const)))(
    "%s rate limited, Retry-After as %s: the next try waits at least that long",
    async ([target, form], { h }) => {
      const rand = seeded(targets.indexOf(target) * 10 + forms.indexOf(form) + 1);
      for (let round = 0; round < 3; round++) {
        const seconds = intIn(rand, 1, 600);
        const { id, attempts } = await jobBefore(h, target);
        const header =
          form === "seconds"
            ? seconds
            : form === "http-date"
              ? new Date(Date.now() + seconds * 1000).toUTCString()
              : undefined;
        h.sim.inject({ target, kind: "rate_limit", ...(header === undefined ? {} : { retryAfter: header }) });
        const before = requestsTo(h, target).length;
        const step = await stepAlarm(id);
        expect(step.error).toBeUndefined();
        expect(requestsTo(h, target).length).toBe(before + 1);
        const job = step.job;
        expect(job.status).toBe(isSubmit(target) ? "queued" : "running");
        expect(job.attempts).toBe(attempts + 1);
        expect(job.lastProviderError).toMatch(target.startsWith("wiro") ? /^96:/ : /^RATE_LIMITED:/);
        // the object's alarm is what actually wakes it: set to the stored time, or, for a job
        // holding a provider slot, sooner only to renew the slot's lease (that wake asks nothing)
        if (job.slotHeld && job.nextAt - job.updatedAt > LEASE_MS / 2) {
          expect(step.alarm).toBeGreaterThanOrEqual(job.updatedAt + LEASE_MS / 2);
          expect(step.alarm).toBeLessThan(job.nextAt);
        } else expect(step.alarm).toBe(job.nextAt);
        if (form === "seconds") {
          expect(job.nextAt - job.updatedAt).toBeGreaterThanOrEqual(seconds * 1000);
          margins.push(job.nextAt - job.updatedAt - seconds * 1000);
        } else if (form === "http-date") {
          // the date has whole seconds: the next try must not come before it
          expect(job.nextAt).toBeGreaterThanOrEqual(Date.parse(header as string));
          margins.push(job.nextAt - Date.parse(header as string));
        } else {
          expect(job.nextAt - job.updatedAt).toBeGreaterThan(0);
          expect(job.nextAt - job.updatedAt).toBeLessThanOrEqual(ceiling(job.attempts));
        }
        if (round === 0 && form === "seconds") {
          // and the job gets there in the end, with one task
          expect((await drive(h, id)).status).toBe("succeeded");
          expect((await tasksPerJob(h)).get(id)).toBe(1);
        }
        // nothing of this round may hold a provider slot or fire into the next
        await cancelOpenJobs(h);
      }
      if (form !== "none") expect(Math.min(...margins)).toBeGreaterThanOrEqual(0);
    },
  );

  afterAll(() => {
    if (margins.length > 0)
      figure(
        `Retry-After honoured in ${margins.length}/${margins.length} cases; smallest margin ${Math.min(...margins)} ms`,
      );
  });
});

describe("WeShop error retryable:false, Wiro 97", () => {
  it.for([
    ["weshop.submit", "INSUFFICIENT_POWER", "Insufficient power balance"],
    ["wiro.run", "97", "Insufficient balance"],
  ] as const)(
    "%s: the job fails at once with the provider's code (%s) and message after exactly 1 attempt",
    async ([target, code, message], { h }) => {
      h.sim.inject({ target, kind: "error_final" });
      const id = await jobAt(h, target);
      const { job, rejections } = await driveCounting(h, id);
      expect(rejections).toEqual([]);
      expect(job.status).toBe("failed");
      expect(job.error).toMatchObject({ code, retryable: false });
      expect(job.error!.message).toContain(message);
      expect(requestsTo(h, target)).toHaveLength(1);
      expect(h.sim.tasks()).toHaveLength(0);
      // clients see the same reason, and the job asks nothing more
      expect((await getJob(id)).error).toMatchObject({ code, message: job.error!.message, retryable: false });
      const after = h.sim.requests.length;
      await stepAlarm(id);
      expect(h.sim.requests.length).toBe(after);
    },
  );

  // Issue 10: a status poll keeps going through anything that is not a definite end or refused
  // credentials. The task already exists and may be running (and billing); such an answer on a
  // poll says nothing about it.
  it.for([
    ["weshop.poll", "INSUFFICIENT_POWER"],
    ["wiro.detail", "97"],
  ] as const)(
    "on a status poll (%s answering %s) it is retried: the job succeeds with its one task after exactly 1 more poll",
    async ([target, code], { h }) => {
      const id = await jobAt(h, target);
      const callsBefore = requestsTo(h, target).length;
      h.sim.inject({ target, kind: "error_final" });
      const { job: met } = await stepAlarm(id);
      expect(met).toMatchObject({ status: "running", attempts: 1 });
      expect(met.lastProviderError).toMatch(new RegExp(`^${code}:`));
      expect(requestsTo(h, target).length - callsBefore).toBe(1);
      const { job, rejections } = await driveCounting(h, id);
      expect(rejections).toEqual([]);
      expect(job.status).toBe("succeeded");
      expect(h.sim.tasks()).toHaveLength(1);
      expect((await tasksPerJob(h)).get(id)).toBe(1);
    },
  );
});
