// The job's record kept in memory by its store: storage is read once, every write goes through,
// and a record written around the store (a test's set-up) is seen after `forget`.
import { describe, expect, it } from "vitest";
import { JobStore } from "../../src/jobs/job-store.ts";
import type { JobRecord } from "../../src/jobs/record.ts";
import { jobRecord, T0 } from "../support/builders.ts";

/** Synchronous KV as a Durable Object has it, counting reads and writes. */
function countingKv() {
  const data = new Map<string, unknown>();
  const counts = { get: 0, put: 0 };
  const kv = {
    get: <T>(key: string) => {
      counts.get++;
      // storage hands back a copy, never the object it was given
      return structuredClone(data.get(key)) as T | undefined;
    },
    put: (key: string, value: unknown) => {
      counts.put++;
      data.set(key, structuredClone(value));
    },
    delete: (key: string) => data.delete(key),
  };
  return { kv: kv as unknown as DurableObjectStorage["kv"], data, counts };
}

describe("the job's store", () => {
  it("reads the record from storage once, however often an alarm run looks at it", () => {
    const { kv, data, counts } = countingKv();
    data.set("job", jobRecord());
    const store = new JobStore(kv);
    for (let i = 0; i < 10; i++) expect(store.load()?.status).toBe("queued");
    expect(store.canceledSince(jobRecord())).toBeUndefined();
    expect(counts.get).toBe(1);
  });

  it("writes every change to storage and reads its own writes back without storage", () => {
    const { kv, data, counts } = countingKv();
    const store = new JobStore(kv);
    const running: JobRecord = { ...jobRecord(), status: "running", updatedAt: T0 + 1 };
    store.save(running);
    const patched = store.patch(running, { indexedStatus: "running" });
    expect(store.load()).toEqual({ ...running, indexedStatus: "running" });
    expect(patched.indexedStatus).toBe("running");
    expect((data.get("job") as JobRecord).indexedStatus).toBe("running");
    expect(counts).toEqual({ get: 0, put: 2 });
  });

  it("does not patch over a newer state, and sees a cancel stored by another call", () => {
    const { kv } = countingKv();
    const store = new JobStore(kv);
    const seen = jobRecord({ status: "running", updatedAt: T0 });
    store.save(seen);
    const canceled = { ...seen, status: "canceled" as const, updatedAt: T0 + 5 };
    store.save(canceled);
    expect(store.patch(seen, { indexedStatus: "running" })).toEqual(canceled);
    expect(store.canceledSince(seen)).toEqual(canceled);
  });

  it("after a drop finds nothing, and after `forget` reads a record written around it", () => {
    const { kv, data } = countingKv();
    const store = new JobStore(kv);
    store.save(jobRecord());
    store.drop();
    expect(store.load()).toBeUndefined();
    data.set("job", jobRecord({ status: "failed" }));
    expect(store.load()).toBeUndefined();
    store.forget();
    expect(store.load()?.status).toBe("failed");
  });
});
