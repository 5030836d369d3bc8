// The provider gate's line at any length: a waiter is woken when its slot is free (its own
// retryAt is a sparse backstop), a wake-up that is lost does not stall the line, and places stay
// exact while waiters leave out of turn, with no count of the rows ahead (src/jobs/gate/gate-line.ts).
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, expect, it } from "vitest";
import { retryDelayMs, STALE_GRACE_MS, WAKE_ANSWER_MS } from "../../src/jobs/gate/gate-pace.ts";
import { cleanGates, config, ids, testGate, waitingPosition } from "../support/gate.ts";

afterEach(cleanGates);

it("a woken waiter that never answers is dropped by the gate's alarm and the next one is woken, with nobody asking", async () => {
  const { api, clock, stub, woken } = await testGate();
  for (const id of ["a", "b", "c"]) await api.acquire(id, config(1));
  await api.release("a");
  expect(woken).toEqual(["b"]);
  // b's wake-up is lost; its own backstop is far off, but the line does not wait for it
  expect(retryDelayMs(1)).toBeGreaterThan(WAKE_ANSWER_MS + STALE_GRACE_MS);
  clock.t += WAKE_ANSWER_MS + STALE_GRACE_MS;
  expect(await runInDurableObject(stub, (_, state) => state.storage.getAlarm())).toBeLessThanOrEqual(clock.t);
  expect(await runDurableObjectAlarm(stub)).toBe(true);
  expect(woken).toEqual(["b", "c"]);
  expect(await api.acquire("c", config(1))).toEqual({ granted: true });
  // b, asking at its backstop, is not lost: it joins the line again
  expect(await api.acquire("b", config(1))).toMatchObject({ granted: false, position: 1 });
});

it("keeps places and the line's length exact when waiters leave out of turn", async () => {
  const { api, clock } = await testGate();
  const jobs = ids(30);
  for (const id of jobs) await api.acquire(id, config(1));
  const line = jobs.slice(1);
  // cancels from the middle and the end of the line
  for (const gone of ["job-0007", "job-0029", "job-0002", "job-0015", "job-0016"]) {
    await api.release(gone);
    line.splice(line.indexOf(gone), 1);
  }
  for (const id of ["job-0030", "job-0031"]) {
    await api.acquire(id, config(1));
    line.push(id);
  }
  let retry10 = 0;
  for (const id of line) {
    const asked = await api.acquire(id, config(1));
    expect(waitingPosition(asked)).toBe(line.indexOf(id) + 1);
    if (id === "job-0010" && !asked.granted) retry10 = asked.retryAt;
  }
  expect(await api.snapshot()).toMatchObject({ active: 1, waiting: line.length });
  // all but job-0010 keep asking; it goes stale and leaves a hole
  clock.t += 1_000;
  for (const id of line.filter((j) => j !== "job-0010")) await api.acquire(id, config(1));
  clock.t = retry10 + STALE_GRACE_MS;
  line.splice(line.indexOf("job-0010"), 1);
  for (const id of line) expect(waitingPosition(await api.acquire(id, config(1)))).toBe(line.indexOf(id) + 1);
  expect(await api.snapshot()).toMatchObject({ waiting: line.length });
  await api.release("job-0000");
  while (line.length > 0) {
    expect(await api.acquire(line[0]!, config(1))).toMatchObject({ granted: true });
    await api.release(line.shift()!);
    if (line.length > 1) expect(waitingPosition(await api.acquire(line.at(-1)!, config(1)))).toBe(line.length);
  }
  expect(await api.snapshot()).toMatchObject({ active: 0, waiting: 0 });
}, 30_000);
