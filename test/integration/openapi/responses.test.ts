// Real responses match the documented schemas: a job as it goes, an upload, the webhooks as they
// are delivered (bodies and headers), and problems.
import { env, runInDurableObject } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { batchJobId } from "../../../src/batches/batch-object.ts";
import { messageId } from "../../../src/webhooks/events.ts";
import { BASE, driveJob, fireDelivery, type Harness, HOOK_ORIGIN, startHarness } from "../../support/harness.ts";
import { call, component, doc, expectValid, type Json, schemaValidator, viaWorker } from "./support.ts";

describe("real responses match the documented schemas: jobs, uploads, webhooks, problems", () => {
  let h: Harness;
  beforeEach(() => {
    h = startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  const json = (path: string, method: string, body: unknown) =>
    call(path, { method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });

  it("a job, as created, read and finished, is a documented Job", async () => {
    const job = component("Job");
    const res = await call("/v1/jobs", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ model: "weshop/seedream", params: { textDescription: "x" } }),
    });
    expect(res.status).toBe(202);
    const created = (await res.json()) as Json;
    expectValid(job, created, "202 body");
    expect(res.headers.get("Location")).toBe(`/v1/jobs/${created.id}`);
    h.jobs.push(created.id);

    const read = await call(`/v1/jobs/${created.id}`);
    expect(read.status).toBe(200);
    expectValid(job, await read.json(), "200 body");

    await driveJob(h, created.id);
    const done = (await (await call(`/v1/jobs/${created.id}`)).json()) as Json;
    expect(done.status).toBe("succeeded");
    expect(done.outputs.length).toBeGreaterThan(0);
    expectValid(job, done, "finished job");
  });

  it("an upload, real and as documented, is a documented Upload; its problems are documented Problems", async () => {
    const upload = component("Upload");
    const op = doc().paths["/v1/uploads"].post;
    expect(Object.keys(op.requestBody.content)).toEqual(["multipart/form-data"]);
    const media = op.requestBody.content["multipart/form-data"];
    expect(doc().components.schemas.UploadImage).toMatchObject({
      required: ["image"],
      properties: { image: { type: "string", format: "binary" } },
      additionalProperties: false,
    });
    expect(media.encoding.image.contentType).toMatch(/image\/png/);
    expectValid(upload, op.responses["201"].content["application/json"].examples.uploaded.value, "documented example");

    const png = Uint8Array.from(
      atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="),
      (ch) => ch.charCodeAt(0),
    );
    const form = new FormData();
    form.append("image", new File([png], "dot.png", { type: "image/png" }));
    const res = await call("/v1/uploads", { method: "POST", body: form });
    expect(res.status, await res.clone().text()).toBe(201);
    expectValid(upload, await res.json(), "201 body");

    const problem = component("Problem");
    const text = new FormData();
    text.append("image", "not a file");
    for (const [init, status] of [
      [{ method: "POST", body: text }, 400],
      [{ method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" }, 415],
    ] as const) {
      const bad = await call("/v1/uploads", init);
      expect(bad.status).toBe(status);
      expect(Object.keys(op.responses)).toContain(String(status));
      expectValid(problem, await bad.json(), String(status));
    }
  });

  it("webhooks, a job event and batch.completed, are delivered with the documented bodies and headers", async () => {
    const res = await json("/v1/batches", "POST", {
      jobs: [
        {
          model: "weshop/seedream",
          params: { textDescription: "x" },
          webhookUrl: `${HOOK_ORIGIN}/job`,
          webhookEvents: ["job.succeeded"],
        },
      ],
      webhookUrl: `${HOOK_ORIGIN}/batch`,
    });
    expect(res.status, await res.clone().text()).toBe(202);
    const batch = (await res.json()) as Json;
    const jobId = await batchJobId(batch.id, 0);
    h.jobs.push(jobId);
    /** Runs the batch's alarm now: the first run creates the job, the last announces the end. */
    const batchAlarm = () =>
      runInDurableObject(env.BATCHES.get(env.BATCHES.idFromName(batch.id)), async (instance, state) => {
        await state.storage.deleteAlarm();
        await instance.alarm();
      });
    await batchAlarm();
    expect((await driveJob(h, jobId)).status).toBe("succeeded");
    await fireDelivery(messageId(jobId, "job.succeeded"));
    await batchAlarm();
    await fireDelivery(`msg_${batch.id.slice(6)}_completed`);

    const d = doc();
    for (const [name, path] of [
      ["jobEvent", "/job"],
      ["batchCompleted", "/batch"],
    ] as const) {
      const op = d.webhooks[name].post;
      const delivery = h.webhooks.find((w) => new URL(w.url).pathname === path);
      expect(delivery, `${name} delivered`).toBeDefined();
      expectValid(
        schemaValidator(op.requestBody.content["application/json"].schema, d),
        JSON.parse(delivery!.body),
        `${name} body`,
      );
      for (const p of op.parameters as Json[])
        expectValid(schemaValidator(p.schema, d), delivery!.headers[p.name], `${name} ${p.name} header`);
    }
    expect(JSON.parse(h.webhooks.find((w) => w.url.endsWith("/batch"))!.body)).toMatchObject({
      type: "batch.completed",
      data: { id: batch.id, status: "completed" },
    });
  });

  it("problems are documented Problems", async () => {
    const problem = component("Problem");
    const bad = await call("/v1/jobs", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ model: "weshop/seedream", params: {}, x: 1 }),
    });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as Json;
    expectValid(problem, body, "400");
    expect(body.errors.map((e: Json) => e.path).sort()).toEqual(["params.textDescription", "x"]);
    const unauthorized = await viaWorker(new Request(`${BASE}/v1/jobs/job_00000000000000000000`));
    expect(unauthorized.status).toBe(401);
    expectValid(problem, await unauthorized.json(), "401");
    const health = await viaWorker(new Request(`${BASE}/healthz`));
    expectValid(component("Health"), await health.json(), "healthz");
  });
});
