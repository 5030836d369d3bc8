// /v1/schedules: cron expressions (5 fields, IANA time zone) that start a batch when due.
import { Hono, type Context } from "hono";
import { z } from "zod";
import { cronFor, isTimeZone, nextRunAfter, nextRunAfterPatch, scheduleView, updateScheduleIfUnchanged, type ScheduleRow } from "../../schedules/schedules.ts";
import { randomId } from "../../lib/crypto.ts";
import { ApiError, notFound, type FieldError } from "../../lib/errors.ts";
import { fieldErrors, validationError } from "../../lib/validation.ts";
import { validateBatch } from "../../schemas/batch-spec.ts";
import type { AppEnv } from "../context.ts";
import { readJsonBody } from "../request.ts";

const SCHEDULE_ID = /^sched_[0-9a-z]{20}$/;
export const MAX_SCHEDULES_PER_CLIENT = 100;

const fields = {
  name: z.string({ error: "must be a string" }).trim().min(1, "is required").max(100, "must be at most 100 characters"),
  cron: z.string({ error: "must be a 5-field cron expression" }),
  timezone: z.string({ error: "must be an IANA time zone such as Europe/Istanbul" }),
  batch: z.unknown(),
  enabled: z.boolean({ error: "must be true or false" }),
};
export const createScheduleSchema = z.strictObject({ ...fields, timezone: fields.timezone.default("UTC"), enabled: fields.enabled.default(true) });
export const patchScheduleSchema = z.strictObject(fields).partial();

/** Checks what zod cannot: the cron expression, the zone, and the batch like POST /v1/batches. */
function checkScheduleFields(c: Context<AppEnv>, value: { cron?: string; timezone?: string; batch?: unknown }, errors: FieldError[]) {
  if (value.timezone !== undefined && !isTimeZone(value.timezone)) errors.push({ path: "timezone", message: "is not an IANA time zone" });
  if (value.cron !== undefined) {
    try {
      cronFor(value.cron, value.timezone && isTimeZone(value.timezone) ? value.timezone : "UTC");
    } catch (err) {
      errors.push({ path: "cron", message: `is not a valid cron expression: ${err instanceof Error ? err.message : String(err)}` });
    }
  }
  if ("batch" in value) {
    const config = c.get("config");
    const result = validateBatch(value.batch, { allowLoopbackHttp: config.devMode, webhooksEnabled: config.webhookSecret !== undefined }, ["batch"]);
    errors.push(...result.errors);
    return result.spec;
  }
  return undefined;
}

async function loadRow(c: Context<AppEnv>, id: string): Promise<ScheduleRow> {
  if (!SCHEDULE_ID.test(id)) throw notFound(`Schedule ${id}`);
  const row = await c.env.DB.prepare("SELECT * FROM schedules WHERE id = ? AND tenant = ?").bind(id, c.get("tenant")).first<ScheduleRow>();
  if (!row) throw notFound(`Schedule ${id}`);
  return row;
}

/** How often a PATCH recomputes after losing a race with a tick or another PATCH before answering 409. */
const PATCH_ATTEMPTS = 3;

/** The row a PATCH body makes of `row`; throws the 400 when the body is invalid. */
function patchedRow(c: Context<AppEnv>, row: ScheduleRow, body: unknown): ScheduleRow {
  const parsed = patchScheduleSchema.safeParse(body);
  const errors = parsed.success ? [] : fieldErrors(parsed.error.issues);
  // a primitive body is already refused by patchScheduleSchema; `in` would throw on it
  const raw = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const timezone = typeof raw.timezone === "string" ? raw.timezone : row.timezone;
  const batch = checkScheduleFields(
    c,
    { ...(typeof raw.cron === "string" ? { cron: raw.cron } : {}), timezone, ...("batch" in raw ? { batch: raw.batch } : {}) },
    errors,
  );
  if (!parsed.success || errors.length > 0) throw validationError(errors);
  const patch = parsed.data;
  const now = Date.now();
  const next: ScheduleRow = {
    ...row,
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.cron !== undefined ? { cron: patch.cron } : {}),
    timezone,
    ...(batch ? { batch: JSON.stringify(batch) } : {}),
    ...(patch.enabled !== undefined ? { enabled: patch.enabled ? 1 : 0 } : {}),
    // strictly later than the version read, so two writers never leave the same updated_at
    updated_at: Math.max(now, row.updated_at + 1),
  };
  next.next_run_at = nextRunAfterPatch(row, next, now);
  return next;
}

export const scheduleRoutes = new Hono<AppEnv>()
  .post("/", async (c) => {
    const body = await readJsonBody(c);
    const parsed = createScheduleSchema.safeParse(body);
    const errors = parsed.success ? [] : fieldErrors(parsed.error.issues);
    const raw = (body ?? {}) as { cron?: unknown; timezone?: unknown; batch?: unknown };
    const batch = checkScheduleFields(
      c,
      {
        cron: typeof raw.cron === "string" ? raw.cron : undefined,
        timezone: typeof raw.timezone === "string" ? raw.timezone : parsed.success ? parsed.data.timezone : undefined,
        batch: raw.batch,
      },
      errors,
    );
    if (!parsed.success || errors.length > 0 || !batch) throw validationError(errors);
    const tenant = c.get("tenant");
    const now = Date.now();
    const { name, cron, timezone, enabled } = parsed.data;
    const row: ScheduleRow = {
      id: randomId("sched"),
      tenant,
      name,
      cron,
      timezone,
      batch: JSON.stringify(batch),
      origin: c.get("config").publicBaseUrl ?? new URL(c.req.url).origin,
      enabled: enabled ? 1 : 0,
      next_run_at: enabled ? nextRunAfter(cron, timezone, now) : null,
      last_run_at: null,
      last_batch_id: null,
      created_at: now,
      updated_at: now,
    };
    // the cap is checked by the insert itself: one statement, so concurrent creates cannot all
    // see room for one more (a count followed by an insert let 20 racing creates pass 100)
    const inserted = await c.env.DB.prepare(
      "INSERT INTO schedules (id, tenant, name, cron, timezone, batch, origin, enabled, next_run_at, last_run_at, last_batch_id, created_at, updated_at) " +
        "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE (SELECT COUNT(*) FROM schedules WHERE tenant = ?) < ?",
    )
      .bind(
        row.id,
        row.tenant,
        row.name,
        row.cron,
        row.timezone,
        row.batch,
        row.origin,
        row.enabled,
        row.next_run_at,
        null,
        null,
        now,
        now,
        tenant,
        MAX_SCHEDULES_PER_CLIENT,
      )
      .run();
    if (inserted.meta.changes !== 1)
      throw new ApiError(422, "too_many_schedules", "Too many schedules", `A client may have at most ${MAX_SCHEDULES_PER_CLIENT} schedules; delete one first.`);
    c.header("Location", `/v1/schedules/${row.id}`);
    return c.json(scheduleView(row), 201);
  })
  .get("/", async (c) => {
    const rows = await c.env.DB.prepare("SELECT * FROM schedules WHERE tenant = ? ORDER BY created_at DESC, id DESC").bind(c.get("tenant")).all<ScheduleRow>();
    return c.json({ data: rows.results.map(scheduleView), nextCursor: null });
  })
  .get("/:id", async (c) => c.json(scheduleView(await loadRow(c, c.req.param("id")))))
  .patch("/:id", async (c) => {
    const id = c.req.param("id");
    let row = await loadRow(c, id);
    const body = await readJsonBody(c);
    // a read-modify-write that only lands if the row is unchanged since it was read (a tick may
    // have run it meanwhile); on a lost race it is recomputed from the fresh row
    for (let attempt = 1; ; attempt++) {
      const next = patchedRow(c, row, body);
      if (await updateScheduleIfUnchanged(c.env.DB, row, next)) return c.json(scheduleView(next));
      if (attempt >= PATCH_ATTEMPTS)
        throw new ApiError(409, "schedule_conflict", "Schedule changed meanwhile", `Schedule ${id} kept changing while it was being updated; try again.`);
      row = await loadRow(c, id);
    }
  })
  .delete("/:id", async (c) => {
    const row = await loadRow(c, c.req.param("id"));
    await c.env.DB.prepare("DELETE FROM schedules WHERE id = ?").bind(row.id).run();
    return c.body(null, 204);
  });
