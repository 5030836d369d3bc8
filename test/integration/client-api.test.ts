// The client API around jobs: idempotency, cancel, listing, live status and Prefer: wait.
import { env } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SEEDREAM, WIRO } from "../support/builders.ts";
import {
  api,
  createJob,
  driveJob,
  fireAlarm,
  fireFollowUp,
  getJob,
  type Harness,
  KEY_B,
  startHarness,
  storedJob,
} from "../support/harness.ts";

let h: Harness;
beforeEach(() => {
  h = startHarness();
});
afterEach(async () => {
  await h.stop();
});

const post = (json: unknown, headers: Record<string, string> = {}, key?: string) =>
  api("/v1/jobs", { json, headers, key });

const indexedJobIds = async () =>
  (await env.DB.prepare("SELECT id FROM jobs").all<{ id: string }>()).results.map((r) => r.id);

/** The id of the job a request still in flight created: waits for its row in the listing index. */
async function newJobId(before: Set<string>): Promise<string> {
  for (;;) {
    const fresh = (await indexedJobIds()).find((id) => !before.has(id));
    if (fresh) {
      h.jobs.push(fresh);
      return fresh;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("Idempotency-Key", () => {
  it("two concurrent requests with one key create one job and one provider task", async () => {
    const headers = { "Idempotency-Key": "order-42" };
    const [a, b] = await Promise.all([post(SEEDREAM, headers), post(SEEDREAM, headers)]);
    expect([a.status, b.status]).toEqual([202, 202]);
    const [ja, jb] = (await Promise.all([a.json(), b.json()])) as { id: string }[];
    expect(ja!.id).toBe(jb!.id);
    expect([a.headers.get("Idempotent-Replayed"), b.headers.get("Idempotent-Replayed")].sort()).toEqual(
      ["true", null].sort(),
    );
    await driveJob(h, ja!.id);
    expect(h.sim.tasks()).toHaveLength(1);
  });

  it("a replay later returns the same job, even when the body is written differently", async () => {
    const first = (await (await post({ ...SEEDREAM, metadata: { a: "1" } }, { "Idempotency-Key": "k1" })).json()) as {
      id: string;
    };
    const again = await post(
      { metadata: { a: "1" }, params: { textDescription: "a fox", batchCount: 1 }, model: "weshop/seedream" },
      { "Idempotency-Key": "k1" },
    );
    expect(again.status).toBe(202);
    expect(((await again.json()) as { id: string }).id).toBe(first.id);
  });

  it("the same key with a different body is 422 and creates nothing", async () => {
    await post(SEEDREAM, { "Idempotency-Key": "k2" });
    const res = await post({ ...SEEDREAM, params: { textDescription: "a wolf" } }, { "Idempotency-Key": "k2" });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { code: string }).code).toBe("idempotency_key_reused");
    expect(h.jobs).toHaveLength(1);
  });

  it("keys are scoped per client key", async () => {
    const a = (await (await post(SEEDREAM, { "Idempotency-Key": "shared" })).json()) as { id: string };
    const b = (await (await post(SEEDREAM, { "Idempotency-Key": "shared" }, KEY_B)).json()) as { id: string };
    expect(a.id).not.toBe(b.id);
  });

  it("a malformed key is a 400 naming the header", async () => {
    const res = await post(SEEDREAM, { "Idempotency-Key": "x".repeat(256) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: { path: string }[] }).errors[0]!.path).toBe("Idempotency-Key");
  });
});

describe("cancel", () => {
  const cancel = (id: string, key?: string) => api(`/v1/jobs/${id}/cancel`, { method: "POST", key });

  it("a queued job is canceled before it reaches the provider", async () => {
    const { id } = await createJob(SEEDREAM);
    // the first alarm may already have run; cancel whatever state it is in
    const res = await cancel(id);
    expect(res.status).toBe(200);
    const job = (await res.json()) as { status: string; error: { code: string } };
    expect(job.status).toBe("canceled");
    expect(job.error.code).toBe("canceled_by_client");
    await fireAlarm(id);
    expect((await storedJob(id)).status).toBe("canceled");
  });

  it("a running Wiro job is killed at Wiro once assigned, and says Wiro confirmed it", async () => {
    const { id } = await createJob(WIRO);
    await fireAlarm(id);
    h.advance(15_000); // the simulated task is past task_assign
    const res = await cancel(id);
    const job = (await res.json()) as { status: string; error: { message: string } };
    expect(job.status).toBe("canceled");
    expect(job.error.message).toContain("Wiro");
    // the stop is the follow-up alarm's work (run here if the runtime has not run it yet)
    await fireFollowUp(id);
    expect(h.sim.requests.filter((r) => r.target === "wiro.kill")).toHaveLength(1);
    expect(h.sim.requests.filter((r) => r.target === "wiro.cancel")).toHaveLength(0);
    expect(h.sim.tasks()[0]!.killedAt).toBeDefined();
    const after = (await getJob(id)) as unknown as {
      provider: { status: string; stopConfirmed: boolean };
      error: { message: string };
    };
    expect(after.provider).toMatchObject({ status: "task_cancel", stopConfirmed: true });
    expect(after.error.message).toMatch(/Wiro task \d+ killed \(Task\/Detail shows task_cancel\)/);
  });

  it("a running Wiro job still queued at Wiro is canceled with Task/Cancel", async () => {
    const { id } = await createJob(WIRO);
    await fireAlarm(id);
    await cancel(id);
    await fireFollowUp(id);
    expect(h.sim.requests.filter((r) => r.target === "wiro.cancel")).toHaveLength(1);
    expect(h.sim.tasks()[0]!.canceledAt).toBeDefined();
  });

  it("a running WeShop job stops being tracked and says WeShop cannot cancel", async () => {
    const { id } = await createJob(SEEDREAM);
    await fireAlarm(id);
    const job = (await (await cancel(id)).json()) as { status: string; error: { message: string } };
    expect(job.status).toBe("canceled");
    expect(job.error.message).toMatch(/WeShop has no cancel endpoint/);
    const polls = h.sim.requests.filter((r) => r.target === "weshop.poll").length;
    h.advance(60_000);
    await fireAlarm(id);
    expect(h.sim.requests.filter((r) => r.target === "weshop.poll").length).toBe(polls);
  });

  it("a finished job answers 409; another tenant gets 404", async () => {
    const { id } = await createJob(SEEDREAM);
    expect((await cancel(id, KEY_B)).status).toBe(404);
    await driveJob(h, id);
    const res = await cancel(id);
    expect(res.status).toBe(409);
    expect(((await res.json()) as { code: string }).code).toBe("job_finished");
  });

  it("a cancel racing the completion ends in one consistent state", async () => {
    const { id } = await createJob(SEEDREAM);
    await fireAlarm(id);
    h.advance(60_000);
    const [cancelRes] = await Promise.all([cancel(id), fireAlarm(id), fireAlarm(id)]);
    const job = await storedJob(id);
    if (cancelRes.status === 200) expect(job.status).toBe("canceled");
    else {
      expect(cancelRes.status).toBe(409);
      expect(job.status).not.toBe("canceled");
    }
    const final = await driveJob(h, id);
    expect(final.status).toBe(job.status === "copying" ? "succeeded" : job.status);
  });
});

describe("listing", () => {
  // storage is shared by the tests of a file; start each listing test from an empty index
  beforeEach(async () => {
    await env.DB.exec("DELETE FROM jobs");
  });

  it("pages newest first without overlap and shows no other client's jobs", async () => {
    const mine: string[] = [];
    for (let i = 0; i < 5; i++)
      mine.push((await createJob({ model: "weshop/seedream", params: { textDescription: `n${i}` } })).id);
    await createJob(SEEDREAM, KEY_B);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: Response = await api(`/v1/jobs?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.status).toBe(200);
      const page = (await res.json()) as { data: { id: string }[]; nextCursor: string | null };
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((j) => j.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...mine].reverse());
  });

  it("filters by status and model", async () => {
    const done = await createJob(SEEDREAM);
    await driveJob(h, done.id);
    const queued = await createJob(WIRO);
    const bodyOf = async (q: string) =>
      ((await (await api(`/v1/jobs?${q}`)).json()) as { data: { id: string }[] }).data.map((j) => j.id);
    expect(await bodyOf("status=succeeded")).toEqual([done.id]);
    expect(await bodyOf("model=wiro/ByteDance/text-to-video-seedance-v1")).toEqual([queued.id]);
  });

  it("bad query values are 400 naming the parameter", async () => {
    const res = await api("/v1/jobs?limit=500&status=done&cursor=zzz");
    expect(res.status).toBe(400);
    const paths = ((await res.json()) as { errors: { path: string }[] }).errors.map((e) => e.path).sort();
    expect(paths).toEqual(["limit", "status"]);
    expect((await api("/v1/jobs?cursor=zzz")).status).toBe(400);
  });

  it("the index follows each job's status", async () => {
    const { id } = await createJob(SEEDREAM);
    await driveJob(h, id);
    const row = await env.DB.prepare("SELECT status FROM jobs WHERE id = ?").bind(id).first<{ status: string }>();
    expect(row?.status).toBe("succeeded");
  });
});

describe("live status", () => {
  it("Prefer: wait holds GET until the job ends", async () => {
    const { id } = await createJob(SEEDREAM);
    const waiting = api(`/v1/jobs/${id}`, { headers: { Prefer: "wait=30" } });
    await driveJob(h, id);
    const res = await waiting;
    expect(res.headers.get("Preference-Applied")).toBe("wait=30");
    expect(((await res.json()) as { status: string }).status).toBe("succeeded");
  });

  it("Prefer: wait holds POST until the job ends", async () => {
    const before = new Set(await indexedJobIds());
    const waiting = post(SEEDREAM, { Prefer: "wait=5" });
    // the job is indexed before its creation returns, so it can be driven while the POST waits
    const id = await newJobId(before);
    await driveJob(h, id);
    const res = await waiting;
    expect(res.status).toBe(202);
    expect(res.headers.get("Location")).toBe(`/v1/jobs/${id}`);
    expect(res.headers.get("Preference-Applied")).toBe("wait=5");
    const job = (await res.json()) as { id: string; status: string };
    expect(job.id).toBe(id);
    // the wait ends early once the job has ended; on a machine too slow to drive it within the 5 s
    // the answer is still the state the wait reached, never the queued one it was created in
    expect(["running", "copying", "succeeded"]).toContain(job.status);
  });

  it("Prefer: wait above 60 s is clamped to 60 and says so", async () => {
    const before = new Set(await indexedJobIds());
    const waiting = post(SEEDREAM, { Prefer: "respond-async, wait=600" });
    const id = await newJobId(before);
    await driveJob(h, id);
    const res = await waiting;
    expect(res.headers.get("Preference-Applied")).toBe("wait=60");
    expect(((await res.json()) as { status: string }).status).toBe("succeeded");
  });

  it("without a usable wait preference POST answers at once and applies none", async () => {
    for (const prefer of [undefined, "wait=0", "wait=soon"]) {
      const res = await post(SEEDREAM, prefer ? { Prefer: prefer } : {});
      expect(res.status).toBe(202);
      expect(res.headers.get("Preference-Applied")).toBeNull();
      expect(((await res.json()) as { status: string }).status).not.toBe("succeeded");
    }
  });

  it("an SSE client sees every transition until the job ends", async () => {
    const { id } = await createJob(SEEDREAM);
    const res = await api(`/v1/jobs/${id}/events`);
    expect(res.headers.get("Content-Type")).toContain("text/event-stream");
    const reading = new Response(res.body).text();
    await driveJob(h, id);
    const text = await reading;
    const statuses = text
      .split("\n")
      .filter((l) => l.startsWith("data: "))
      .map((l) => (JSON.parse(l.slice(6)) as { status: string }).status);
    // each state once, in order, from the one the job was in when the stream opened (its first
    // alarm may already have submitted it) to the end; copying included
    const order = ["queued", "running", "copying", "succeeded"];
    // (an event comes with every change of the job, a poll say, so a status may repeat)
    const distinct = statuses.filter((s, i) => s !== statuses[i - 1]);
    expect(["queued", "running"]).toContain(distinct[0]);
    expect(distinct).toEqual(order.slice(order.indexOf(distinct[0]!)));
  });
});
