// /v1/schedules: cron expressions (5 fields, IANA time zone) that start a batch when due.
import type { Context } from "hono";
import { deleteSchedule, insertScheduleUnderCap, listSchedules, readSchedule, updateScheduleIfUnchanged, type ScheduleRow } from "../../db/schedules.ts";
import { nextRunAfter } from "../../lib/cron.ts";
import { randomId } from "../../lib/crypto.ts";
import { notFound, problem } from "../../lib/problems.ts";
import { validationError } from "../../lib/validation.ts";
import { nextRunAfterPatch, scheduleView } from "../../schedules/schedules.ts";
import { validateSchedule, validateSchedulePatch } from "../../schemas/schedule-spec.ts";
import { MAX_SCHEDULES_PER_CLIENT } from "../../schemas/views.ts";
import type { AppEnv } from "../context.ts";
import { routeGroup } from "../openapi/hook.ts";
import { readJsonBody, specContext } from "../request.ts";
import { createSchedule, deleteScheduleRoute, getSchedule, listSchedulesRoute, scheduleConflict, tooManySchedules, updateSchedule } from "./schedule-routes.ts";

/** How often a PATCH recomputes after losing a race with a tick or another PATCH before answering 409. */
const PATCH_ATTEMPTS = 3;

async function loadRow(c: Context<AppEnv>, id: string): Promise<ScheduleRow> {
  const row = await readSchedule(c.env.DB, id, c.get("tenant"));
  if (!row) throw notFound(`Schedule ${id}`);
  return row;
}

/** The row a PATCH body makes of `row`; throws the 400 when the body is invalid. */
function patchedRow(c: Context<AppEnv>, row: ScheduleRow, body: unknown): ScheduleRow {
  const { patch, errors } = validateSchedulePatch(body, row.timezone, specContext(c));
  if (!patch) throw validationError(errors);
  const now = Date.now();
  const next: ScheduleRow = {
    ...row,
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.cron !== undefined ? { cron: patch.cron } : {}),
    timezone: patch.timezone,
    ...(patch.batch ? { batch: JSON.stringify(patch.batch) } : {}),
    ...(patch.enabled !== undefined ? { enabled: patch.enabled ? 1 : 0 } : {}),
    // strictly later than the version read, so two writers never leave the same updated_at
    updated_at: Math.max(now, row.updated_at + 1),
  };
  next.next_run_at = nextRunAfterPatch(row, next, now);
  return next;
}

export const scheduleRoutes = routeGroup()
  .openapi(createSchedule, async (c) => {
    const { spec, errors } = validateSchedule(await readJsonBody(c), specContext(c));
    if (!spec) throw validationError(errors);
    const now = Date.now();
    const { name, cron, timezone, enabled, batch } = spec;
    const row: ScheduleRow = {
      id: randomId("sched"),
      tenant: c.get("tenant"),
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
    if (!(await insertScheduleUnderCap(c.env.DB, row, MAX_SCHEDULES_PER_CLIENT))) throw problem("too_many_schedules", { detail: tooManySchedules });
    c.header("Location", `/v1/schedules/${row.id}`);
    return c.json(scheduleView(row), 201);
  })
  .openapi(listSchedulesRoute, async (c) => c.json({ data: (await listSchedules(c.env.DB, c.get("tenant"))).map(scheduleView), nextCursor: null }, 200))
  .openapi(getSchedule, async (c) => c.json(scheduleView(await loadRow(c, c.req.valid("param").id)), 200))
  .openapi(updateSchedule, async (c) => {
    const { id } = c.req.valid("param");
    let row = await loadRow(c, id);
    const body = await readJsonBody(c);
    // a read-modify-write that only lands if the row is unchanged since it was read (a tick may
    // have run it meanwhile); on a lost race it is recomputed from the fresh row
    for (let attempt = 1; ; attempt++) {
      const next = patchedRow(c, row, body);
      if (await updateScheduleIfUnchanged(c.env.DB, row, next)) return c.json(scheduleView(next), 200);
      if (attempt >= PATCH_ATTEMPTS) throw problem("schedule_conflict", { detail: scheduleConflict(id) });
      row = await loadRow(c, id);
    }
  })
  .openapi(deleteScheduleRoute, async (c) => {
    const row = await loadRow(c, c.req.valid("param").id);
    await deleteSchedule(c.env.DB, row.id);
    return c.body(null, 204);
  });
