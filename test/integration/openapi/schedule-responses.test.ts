// Real schedule responses match the documented schemas, and the documented schedule request
// schemas and 400 example agree with the route.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BAD_SCHEDULE_REQUEST } from "../../../src/http/openapi/examples.ts";
import { type Harness, startHarness } from "../../support/harness.ts";
import { call, component, doc, expectValid, type Json } from "./support.ts";

describe("real responses match the documented schemas: schedules", () => {
  let h: Harness;
  /** Schedules a test made, deleted afterwards (before the harness stops) so the per-key limit and other files are unaffected. */
  const schedules: string[] = [];
  beforeEach(() => {
    h = startHarness();
  });
  afterEach(async () => {
    for (const id of schedules.splice(0)) await call(`/v1/schedules/${id}`, { method: "DELETE" });
    await h.stop();
  });

  const json = (path: string, method: string, body: unknown) =>
    call(path, { method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const NIGHTLY = {
    name: "n",
    cron: "0 3 * * *",
    batch: { jobs: [{ model: "weshop/seedream", params: { textDescription: "x" } }] },
  };
  async function createSchedule(body: unknown): Promise<Response> {
    const res = await json("/v1/schedules", "POST", body);
    if (res.status === 201) schedules.push(((await res.clone().json()) as Json).id);
    return res;
  }

  it("a schedule, as created, listed, read, changed and deleted, is a documented Schedule", async () => {
    const schedule = component("Schedule");
    const problem = component("Problem");
    const res = await createSchedule(NIGHTLY);
    expect(res.status).toBe(201);
    const created = (await res.json()) as Json;
    expectValid(schedule, created, "201 body");
    expect(res.headers.get("Location")).toBe(`/v1/schedules/${created.id}`);
    expect(created).toMatchObject({ timezone: "UTC", enabled: true, lastRunAt: null, lastBatchId: null });

    const withAll = await createSchedule({
      ...NIGHTLY,
      timezone: "Europe/Istanbul",
      enabled: false,
      batch: {
        jobs: [
          {
            ...NIGHTLY.batch.jobs[0],
            metadata: { k: "v" },
            webhookUrl: "https://hooks.example.com/s",
            webhookEvents: ["job.failed"],
          },
        ],
        webhookUrl: "https://hooks.example.com/b",
      },
    });
    expect(withAll.status).toBe(201);
    const disabled = (await withAll.json()) as Json;
    expectValid(schedule, disabled, "201 body, every field");
    expect(disabled.nextRunAt).toBeNull();
    expect(disabled.batch.jobs[0].webhook).toEqual({ url: "https://hooks.example.com/s", events: ["job.failed"] });

    const list = await call("/v1/schedules");
    expect(list.status).toBe(200);
    const page = (await list.json()) as Json;
    expectValid(component("ScheduleList"), page, "list");
    expect(page.data.map((s: Json) => s.id)).toEqual(expect.arrayContaining([created.id, disabled.id]));

    const read = await call(`/v1/schedules/${created.id}`);
    expect(read.status).toBe(200);
    expectValid(schedule, await read.json(), "200 body");

    const patched = await json(`/v1/schedules/${created.id}`, "PATCH", {
      enabled: false,
      cron: "30 6 * * 1-5",
      timezone: "Asia/Tokyo",
    });
    expect(patched.status).toBe(200);
    expectValid(schedule, await patched.json(), "PATCH body");

    const badPatch = await json(`/v1/schedules/${created.id}`, "PATCH", { cron: "0 25 * * *" });
    expect(badPatch.status).toBe(400);
    const badBody = (await badPatch.json()) as Json;
    expectValid(problem, badBody, "PATCH 400");
    const documented =
      doc().paths["/v1/schedules/{id}"].patch.responses["400"].content["application/problem+json"].examples
        .validation_failed.value;
    expect(badBody.errors).toEqual(documented.errors);

    const deleted = await call(`/v1/schedules/${created.id}`, { method: "DELETE" });
    expect(deleted.status).toBe(204);
    expect(await deleted.text()).toBe("");
    const gone = await call(`/v1/schedules/${created.id}`);
    expect(gone.status).toBe(404);
    expectValid(problem, await gone.json(), "404");
  });

  it("the documented schedule 400 example is what the route answers to the same request", async () => {
    const res = await createSchedule(BAD_SCHEDULE_REQUEST);
    expect(res.status).toBe(400);
    const body = (await res.json()) as Json;
    expectValid(component("Problem"), body, "400");
    const documented =
      doc().paths["/v1/schedules"].post.responses["400"].content["application/problem+json"].examples.validation_failed
        .value;
    expect(body.errors).toEqual(documented.errors);
    expect(body.errors.map((e: Json) => e.path).sort()).toEqual([
      "batch.jobs[0].params.textDescription",
      "cron",
      "timezone",
    ]);
  });

  it("the documented schedule request schemas and the real route agree", async () => {
    const create = component("CreateSchedule");
    const job = NIGHTLY.batch.jobs[0]!;
    const cases: [string, unknown, boolean][] = [
      [
        "the documented example",
        doc().paths["/v1/schedules"].post.requestBody.content["application/json"].examples.nightly.value,
        true,
      ],
      ["name, cron and batch only", NIGHTLY, true],
      ["every field", { ...NIGHTLY, timezone: "America/New_York", enabled: false }, true],
      ["steps", { ...NIGHTLY, cron: "*/15 * * * *" }, true],
      ["names and ranges", { ...NIGHTLY, cron: "0 9 * * MON-FRI" }, true],
      ["extra whitespace in cron", { ...NIGHTLY, cron: " 0  3 * * * " }, true],
      ["a batch webhook", { ...NIGHTLY, batch: { ...NIGHTLY.batch, webhookUrl: "https://hooks.example.com/b" } }, true],
      ["a 100-character name", { ...NIGHTLY, name: "n".repeat(100) }, true],
      ["no name", { cron: NIGHTLY.cron, batch: NIGHTLY.batch }, false],
      ["a blank name", { ...NIGHTLY, name: "   " }, false],
      ["a 101-character name", { ...NIGHTLY, name: "n".repeat(101) }, false],
      ["no cron", { name: "n", batch: NIGHTLY.batch }, false],
      ["a 6-field cron", { ...NIGHTLY, cron: "0 0 3 * * *" }, false],
      ["a 4-field cron", { ...NIGHTLY, cron: "0 3 * *" }, false],
      ["a nickname cron", { ...NIGHTLY, cron: "@daily" }, false],
      ["a numeric cron", { ...NIGHTLY, cron: 5 }, false],
      ["a numeric time zone", { ...NIGHTLY, timezone: 3 }, false],
      ["enabled as a string", { ...NIGHTLY, enabled: "yes" }, false],
      ["an unknown field", { ...NIGHTLY, surprise: true }, false],
      ["no batch", { name: "n", cron: NIGHTLY.cron }, false],
      ["an empty batch", { ...NIGHTLY, batch: { jobs: [] } }, false],
      [
        "a bad job in the batch",
        { ...NIGHTLY, batch: { jobs: [{ ...job, params: { textDescription: "x", batchCount: 0 } }] } },
        false,
      ],
      ["an extra batch field", { ...NIGHTLY, batch: { ...NIGHTLY.batch, extra: 1 } }, false],
      ["not an object", [NIGHTLY], false],
    ];
    for (const [name, body, ok] of cases) {
      const res = await createSchedule(body);
      expect(res.status, `${name}: ${await res.clone().text()}`).toBe(ok ? 201 : 400);
      expect(create(body).valid, `${name} (documented)`).toBe(ok);
    }
    // what JSON Schema cannot say: the route parses each cron field and knows the IANA zones
    for (const body of [
      { ...NIGHTLY, cron: "61 * * * *" },
      { ...NIGHTLY, timezone: "Mars/Base" },
    ]) {
      expect((await createSchedule(body)).status).toBe(400);
      expectValid(create, body, "documented schema, syntax only");
    }

    const patch = component("PatchSchedule");
    const id = schedules[0]!;
    const patches: [unknown, boolean][] = [
      [{}, true],
      [{ enabled: false }, true],
      [{ name: "renamed", cron: "30 6 * * 1-5", timezone: "Asia/Tokyo", enabled: true, batch: NIGHTLY.batch }, true],
      [{ name: "" }, false],
      [{ cron: "* * * *" }, false],
      [{ enabled: 1 }, false],
      [{ batch: { jobs: [] } }, false],
      [{ batch: null }, false],
      [{ id: "sched_00000000000000000000" }, false],
    ];
    for (const [body, ok] of patches) {
      const res = await json(`/v1/schedules/${id}`, "PATCH", body);
      expect(res.status, `${JSON.stringify(body)}: ${await res.clone().text()}`).toBe(ok ? 200 : 400);
      expect(patch(body).valid, `${JSON.stringify(body)} (documented)`).toBe(ok);
    }
  });
});
