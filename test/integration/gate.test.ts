// The provider gate: a cap on concurrent provider tasks, FIFO among waiters, leases that lapse,
// and a pace that backs off on provider pushback. Time is the gate's injected clock; no sleeps.
import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, expect, it } from "vitest";
import { gateApi, LEASE_MS } from "../../src/jobs/gate/gate-client.ts";
import {
  CUT_SPACING_MS,
  MAX_BACKSTOP_MS,
  OKS_PER_SLOT,
  PUSHBACK_HOLD_MS,
  retryDelayMs,
  STALE_GRACE_MS,
} from "../../src/jobs/gate/gate-pace.ts";

import { cleanGates, config, ids, testGate, used, waitingPosition } from "../support/gate.ts";

afterEach(cleanGates);

it("never grants more than maxConcurrency of 50 concurrent jobs, then grants in line order as slots free", async () => {
  const { api, woken } = await testGate();
  const jobs = ids(50);
  const first = await Promise.all(jobs.map((id) => api.acquire(id, config(3))));
  const holders = jobs.filter((_, i) => first[i]!.granted);
  expect(holders).toHaveLength(3);
  const waiting = jobs.filter((_, i) => !first[i]!.granted);
  // one place each, 1..47, in the order the calls arrived
  const line = [...waiting].sort(
    (a, b) => waitingPosition(first[jobs.indexOf(a)]!) - waitingPosition(first[jobs.indexOf(b)]!),
  );
  expect(line.map((id) => waitingPosition(first[jobs.indexOf(id)]!))).toEqual(
    Array.from({ length: 47 }, (_, i) => i + 1),
  );
  expect(await api.snapshot()).toMatchObject({ active: 3, waiting: 47 });
  const expectedOrder = [...line];

  const grantedOrder: string[] = [];
  const running = [...holders];
  while (line.length > 0) {
    await api.release(running.shift()!);
    // the head was told to come back now
    expect(woken.at(-1)).toBe(line[0]);
    // the first few in line (and the last) ask at once; only the head may take the free slot
    const askers = [...new Set([...line.slice(0, 4), line.at(-1)!])];
    const asked = await Promise.all(askers.map((id) => api.acquire(id, config(3))));
    const now = askers.filter((_, i) => asked[i]!.granted);
    expect(now).toEqual([line[0]]);
    grantedOrder.push(...now);
    running.push(line.shift()!);
    // places move up by one
    expect(asked.slice(1).map(waitingPosition)).toEqual(askers.slice(1).map((id) => line.indexOf(id) + 1));
    const snap = await api.snapshot();
    expect(snap.active).toBe(3);
    expect(snap.waiting).toBe(line.length);
  }
  expect(grantedOrder).toEqual(expectedOrder);
}, 30_000);

it("acquire and release are idempotent, and a waiter's place only goes down", async () => {
  const { api, clock } = await testGate();
  expect(await api.acquire("a", config(1))).toEqual({ granted: true });
  expect(await api.acquire("a", config(1))).toEqual({ granted: true });
  const b = await api.acquire("b", config(1));
  expect(b).toEqual({ granted: false, position: 1, retryAt: clock.t + retryDelayMs(1) });
  expect(waitingPosition(await api.acquire("b", config(1)))).toBe(1);
  expect(waitingPosition(await api.acquire("c", config(1)))).toBe(2);
  expect(waitingPosition(await api.acquire("c", config(1)))).toBe(2);
  expect(await api.snapshot()).toEqual({ limit: 1, effectiveLimit: 1, active: 1, waiting: 2, holders: ["a"] });

  await api.release("a");
  await api.release("a");
  await api.release("never-seen");
  expect(await api.renew("a")).toBe(false);
  // c is not first: the free slot is b's
  expect(waitingPosition(await api.acquire("c", config(1)))).toBe(2);
  // granted with c still in line: b learns its slot is contended
  expect(await api.acquire("b", config(1))).toEqual({ granted: true, behind: 1 });
  expect(waitingPosition(await api.acquire("c", config(1)))).toBe(1);
  // a waiter that gives up leaves the line, twice is fine
  await api.release("c");
  await api.release("c");
  expect(await api.snapshot()).toMatchObject({ active: 1, waiting: 0, holders: ["b"] });
  expect(await api.renew("b")).toBe(true);
});

it("acquire and renew extend the lease; a lapsed lease frees the slot for the next waiter", async () => {
  const { api, clock, stub, woken } = await testGate();
  expect((await api.acquire("a", config(1))).granted).toBe(true);
  clock.t += LEASE_MS - 1;
  expect(await api.renew("a")).toBe(true);
  clock.t += LEASE_MS - 1;
  expect((await api.acquire("a", config(1))).granted).toBe(true);
  const renewedAt = clock.t;

  // b waits and keeps asking, as a job does, while a's job has crashed and stopped renewing
  expect((await api.acquire("b", config(1))).granted).toBe(false);
  while (clock.t < renewedAt + LEASE_MS - 10_000) {
    clock.t += 10_000;
    expect((await api.acquire("b", config(1))).granted).toBe(false);
  }
  // an alarm is armed no later than a's lease end; one that comes early just sweeps and re-arms
  expect(await runInDurableObject(stub, (_, state) => state.storage.getAlarm())).toBeLessThanOrEqual(
    renewedAt + LEASE_MS,
  );
  clock.t = renewedAt + LEASE_MS - 1;
  expect(await runDurableObjectAlarm(stub)).toBe(true);
  expect(woken).toEqual([]);
  expect(await runInDurableObject(stub, (_, state) => state.storage.getAlarm())).toBeLessThanOrEqual(
    renewedAt + LEASE_MS,
  );
  clock.t = renewedAt + LEASE_MS;
  // nobody calls: the alarm expires the lease and wakes b
  expect(await runDurableObjectAlarm(stub)).toBe(true);
  expect(woken).toEqual(["b"]);
  expect(await api.snapshot()).toMatchObject({ active: 0, waiting: 1 });
  expect(await api.renew("a")).toBe(false);
  expect(await api.acquire("b", config(1))).toEqual({ granted: true });
});

it("a lapsed lease is also noticed lazily by the next call", async () => {
  const { api, clock } = await testGate();
  await api.acquire("a", config(1));
  clock.t += LEASE_MS;
  expect(await api.acquire("b", config(1))).toEqual({ granted: true });
  expect((await api.snapshot()).holders).toEqual(["b"]);
});

it("a waiter that stops asking is dropped, and the ones behind it move up", async () => {
  const { api, clock, woken } = await testGate();
  await api.acquire("a", config(1));
  await api.acquire("b", config(1));
  await api.acquire("c", config(1));
  await api.release("a");
  expect(woken).toEqual(["b"]);
  // b was woken but never came back; c is not granted while b still may
  clock.t += 10_000;
  expect(waitingPosition(await api.acquire("c", config(1)))).toBe(2);
  // b is past its retryAt plus the grace: c, asking again, takes the slot
  clock.t += STALE_GRACE_MS;
  expect(await api.acquire("c", config(1))).toEqual({ granted: true });
  expect(await api.snapshot()).toMatchObject({ waiting: 0, holders: ["c"] });
  // b coming back much later joins at the end
  await api.acquire("d", config(1));
  expect(waitingPosition(await api.acquire("b", config(1)))).toBe(2);
});

it("a waiter's own retryAt is a sparse backstop: it grows with the place in line, up to MAX_BACKSTOP_MS", async () => {
  const { api, clock } = await testGate();
  const results = [];
  for (const id of ids(200)) results.push(await api.acquire(id, config(1)));
  expect(results[1]).toEqual({ granted: false, position: 1, retryAt: clock.t + retryDelayMs(1) });
  expect(results[199]).toEqual({ granted: false, position: 199, retryAt: clock.t + retryDelayMs(199) });
  expect(retryDelayMs(1)).toBeGreaterThanOrEqual(60_000);
  expect(retryDelayMs(100_000)).toBe(MAX_BACKSTOP_MS);
});

it("pushback halves the effective limit for new grants; enough successes restore it", async () => {
  const { api, clock, woken } = await testGate();
  await api.acquire("seed", config(4));
  await api.release("seed");
  await api.report("rate_limited");
  expect(await api.snapshot()).toMatchObject({ limit: 4, effectiveLimit: 2 });
  // reports from the same burst are one cut
  await api.report("rate_limited");
  expect((await api.snapshot()).effectiveLimit).toBe(2);

  const jobs = ids(4);
  const first = [];
  for (const id of jobs) first.push(await api.acquire(id, config(4)));
  expect(first.map((r) => r.granted)).toEqual([true, true, false, false]);
  // grants below the limit ask their holders to report successes
  expect(first[0]).toMatchObject({ granted: true, recovering: true });

  // successes during the hold do not count
  for (let i = 0; i < 3 * OKS_PER_SLOT; i++) await api.report("ok");
  expect((await api.snapshot()).effectiveLimit).toBe(2);

  clock.t += PUSHBACK_HOLD_MS;
  for (let i = 0; i < OKS_PER_SLOT - 1; i++) await api.report("ok");
  expect((await api.snapshot()).effectiveLimit).toBe(2);
  await api.report("ok");
  expect((await api.snapshot()).effectiveLimit).toBe(3);
  // the slot that came back goes to the head of the line
  expect(woken).toEqual([jobs[2]]);
  expect((await api.acquire(jobs[3]!, config(4))).granted).toBe(false);
  expect((await api.acquire(jobs[2]!, config(4))).granted).toBe(true);
  for (let i = 0; i < OKS_PER_SLOT; i++) await api.report("ok");
  expect(await api.snapshot()).toMatchObject({ limit: 4, effectiveLimit: 4, active: 3 });
  // at full pace a success changes nothing, so a grant no longer asks for it
  expect(await api.acquire(jobs[3]!, config(4))).toEqual({ granted: true });
  // back at the configured limit, more successes change nothing
  for (let i = 0; i < OKS_PER_SLOT; i++) await api.report("ok");
  expect((await api.snapshot()).effectiveLimit).toBe(4);

  // a later overload cuts again (4 → 2 → 1, never 0), and running holders keep their slots
  await api.report("rate_limited");
  clock.t += CUT_SPACING_MS;
  await api.report("rate_limited");
  clock.t += CUT_SPACING_MS;
  await api.report("rate_limited");
  expect(await api.snapshot()).toMatchObject({ effectiveLimit: 1, active: 4 });
  expect(await api.renew(jobs[0]!)).toBe(true);
  expect((await api.acquire("late", config(4))).granted).toBe(false);
  await api.release(jobs[0]!);
  await api.release(jobs[1]!);
  await api.release(jobs[2]!);
  expect((await api.acquire("late", config(4))).granted).toBe(false);
  await api.release(jobs[3]!);
  expect((await api.acquire("late", config(4))).granted).toBe(true);
});

it("a changed limit applies at once: raising it wakes the waiters that now fit", async () => {
  const { api, woken } = await testGate();
  await api.acquire("a", config(1));
  await api.acquire("b", config(1));
  await api.acquire("c", config(1));
  expect((await api.acquire("d", config(3))).granted).toBe(false);
  expect(woken).toEqual(["b", "c"]);
  expect((await api.acquire("b", config(3))).granted).toBe(true);
  expect((await api.acquire("c", config(3))).granted).toBe(true);
  // a nonsense setting falls back to one at a time instead of stopping everything
  expect(await api.acquire("e", config(Number.NaN))).toMatchObject({ granted: false, position: 2 });
  expect((await api.snapshot()).limit).toBe(1);
});

it("release wakes the next waiter(s) after storing; a failing wake changes nothing", async () => {
  const { api, woken, wake } = await testGate();
  for (const id of ids(6)) await api.acquire(id, config(2));
  expect(woken).toEqual([]);
  await api.release("job-0000");
  expect(woken).toEqual(["job-0002"]);
  await api.release("job-0001");
  // job-0002 still has its reserved slot; the second free slot is job-0003's
  expect(woken).toEqual(["job-0002", "job-0002", "job-0003"]);

  wake.mockImplementation(async () => {
    throw new Error("job object unreachable");
  });
  await api.release("job-0005");
  await expect(api.release("job-0002")).resolves.toBeUndefined();
  expect(await api.snapshot()).toMatchObject({ active: 0, waiting: 2 });
  expect((await api.acquire("job-0003", config(2))).granted).toBe(true);
});

it("holds a line of 1000 jobs with exact places", async () => {
  const { api } = await testGate();
  const jobs = ids(1000);
  const results = await Promise.all(jobs.map((id) => api.acquire(id, config(5))));
  expect(results.filter((r) => r.granted)).toHaveLength(5);
  const places = results
    .filter((r) => !r.granted)
    .map(waitingPosition)
    .sort((a, b) => a - b);
  expect(places).toEqual(Array.from({ length: 995 }, (_, i) => i + 1));
  expect(await api.snapshot()).toMatchObject({ active: 5, waiting: 995 });
}, 30_000);

it("keeps holders and the line across eviction, and wakes real jobs through gateApi", async () => {
  // the real binding and the real JobObject.wake (on jobs that do not exist: a no-op)
  const api = gateApi(env, "wiro");
  const run = crypto.randomUUID();
  const [a, b, c] = [`${run}-a`, `${run}-b`, `${run}-c`];
  expect((await api.acquire(a, config(2))).granted).toBe(true);
  expect((await api.acquire(b, config(2))).granted).toBe(true);
  expect(waitingPosition(await api.acquire(c, config(2)))).toBe(1);
  const stub = env.GATES.get(env.GATES.idFromName("wiro"));
  used.push(stub);
  await evictDurableObject(stub);
  expect(await api.snapshot()).toMatchObject({ limit: 2, active: 2, waiting: 1, holders: [a, b].sort() });
  await api.release(a);
  expect((await api.acquire(c, config(2))).granted).toBe(true);
  await api.release(b);
  await api.release(c);
  expect(await api.snapshot()).toMatchObject({ active: 0, waiting: 0 });
});
