// /v1/schedules: cron expressions (5 fields, IANA time zone) that start a batch when due. The
// definitions of its operations first, then their handlers.
import { createRoute } from "@hono/zod-openapi";
import type { Context } from "hono";
import {
  deleteSchedule,
  insertScheduleUnderCap,
  listSchedules,
  readSchedule,
  type ScheduleRow,
  updateScheduleIfUnchanged,
} from "../../db/schedules.ts";
import { nextRunAfter } from "../../lib/cron.ts";
import { randomId } from "../../lib/crypto.ts";
import { notFound, problem } from "../../lib/problems.ts";
import { validationError } from "../../lib/validation.ts";
import { nextRunAfterPatch, readStoredBatch, scheduleView, storedBatch } from "../../schedules/schedules.ts";
import { validateSchedule, validateSchedulePatch } from "../../schemas/schedule-spec.ts";
import { MAX_SCHEDULES_PER_CLIENT, scheduleListSchema, scheduleSchema } from "../../schemas/schedule-view.ts";
import type { AppEnv } from "../context.ts";
import {
  cronError,
  nightlyRequest,
  nightlySchedule,
  ranSchedule,
  scheduleValidationExample,
} from "../openapi/examples.ts";
import { routeGroup } from "../openapi/hook.ts";
import { EXAMPLE_SCHEDULE_ID, locationHeader, scheduleIdParams } from "../openapi/params.ts";
import {
  authenticated,
  authProblems,
  jsonBodyProblems,
  notFoundProblem,
  problemExample,
  problemResponse,
  REQUEST_ID_HEADER,
  requires,
  resourceResponse,
  validationProblem,
} from "../openapi/problems.ts";
import { ref } from "../openapi/request-schemas.ts";
import { readJsonBody, specContext } from "../request.ts";

/** The words of the 422 and 409 the handlers throw, and of their examples. */
const tooManySchedules = `A client may have at most ${MAX_SCHEDULES_PER_CLIENT} schedules; delete one first.`;
const scheduleConflict = (id: string) => `Schedule ${id} kept changing while it was being updated; try again.`;

const scheduleNotFound = notFoundProblem("Schedule", EXAMPLE_SCHEDULE_ID);
const schedule = resourceResponse(scheduleSchema);

export const createScheduleRoute = createRoute({
  method: "post",
  path: "/v1/schedules",
  operationId: "createSchedule",
  summary: "Create a schedule",
  description:
    "Starts the batch each time the cron expression is due in the schedule's time zone, once per due time (a run missed during downtime starts once, later). Each run is a batch with `scheduleId` set; `lastBatchId` names the latest.",
  tags: ["Schedules"],
  ...requires("schedules:write"),
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: ref("CreateSchedule"),
          examples: { nightly: { summary: "Every night at 03:00 in Istanbul", value: nightlyRequest } },
        },
      },
    },
  },
  responses: {
    201: schedule(
      "Created.",
      { created: { summary: "A new schedule", value: nightlySchedule } },
      locationHeader("/v1/schedules/{id}"),
    ),
    ...jsonBodyProblems({ validation_failed: scheduleValidationExample() }),
    422: problemResponse(`This key already has ${MAX_SCHEDULES_PER_CLIENT} schedules`, {
      too_many_schedules: problemExample("too_many_schedules", { detail: tooManySchedules }),
    }),
    ...authProblems,
  },
});

export const listSchedulesRoute = createRoute({
  method: "get",
  path: "/v1/schedules",
  operationId: "listSchedules",
  summary: "List schedules",
  description: "Every schedule of this key, newest first, in one page.",
  tags: ["Schedules"],
  ...authenticated,
  responses: {
    200: {
      description: "This key's schedules.",
      headers: REQUEST_ID_HEADER,
      content: {
        "application/json": {
          schema: scheduleListSchema,
          examples: { one: { summary: "One schedule", value: { data: [ranSchedule], nextCursor: null } } },
        },
      },
    },
    ...authProblems,
  },
});

export const getScheduleRoute = createRoute({
  method: "get",
  path: "/v1/schedules/{id}",
  operationId: "getSchedule",
  summary: "Get a schedule",
  description:
    "The schedule with its `nextRunAt`, `lastRunAt`, `lastBatchId` and, when its last due run was skipped, why. A schedule of another API key is `404`.",
  tags: ["Schedules"],
  ...authenticated,
  request: { params: scheduleIdParams },
  responses: {
    200: schedule("The schedule.", { ran: { summary: "After its first run", value: ranSchedule } }),
    404: scheduleNotFound,
    ...authProblems,
  },
});

export const updateScheduleRoute = createRoute({
  method: "patch",
  path: "/v1/schedules/{id}",
  operationId: "updateSchedule",
  summary: "Change a schedule",
  description:
    "Only the fields sent change; a new `cron`, `timezone` or `enabled` recomputes `nextRunAt`. Runs already started are not affected.",
  tags: ["Schedules"],
  ...requires("schedules:write"),
  request: {
    params: scheduleIdParams,
    body: {
      required: true,
      content: {
        "application/json": {
          schema: ref("PatchSchedule"),
          examples: {
            pause: { summary: "Pause", value: { enabled: false } },
            weekdays: { summary: "Weekdays at 06:30", value: { cron: "30 6 * * 1-5" } },
          },
        },
      },
    },
  },
  responses: {
    200: schedule("The changed schedule.", {
      paused: {
        summary: "Paused",
        value: { ...ranSchedule, enabled: false, nextRunAt: null, updatedAt: "2026-11-22T08:00:00.000Z" },
      },
    }),
    ...jsonBodyProblems({ validation_failed: validationProblem([cronError("0 25 * * *")]) }),
    404: scheduleNotFound,
    409: problemResponse(
      "The schedule kept changing (a due run being recorded) while it was updated; send the PATCH again",
      {
        schedule_conflict: problemExample("schedule_conflict", { detail: scheduleConflict(EXAMPLE_SCHEDULE_ID) }),
      },
    ),
    ...authProblems,
  },
});

export const deleteScheduleRoute = createRoute({
  method: "delete",
  path: "/v1/schedules/{id}",
  operationId: "deleteSchedule",
  summary: "Delete a schedule",
  description: "No further runs start; batches already started go on.",
  tags: ["Schedules"],
  ...requires("schedules:write"),
  request: { params: scheduleIdParams },
  responses: { 204: { description: "Deleted.", headers: REQUEST_ID_HEADER }, 404: scheduleNotFound, ...authProblems },
});

/** How often a PATCH recomputes after losing a race with a tick or another PATCH before answering 409. */
const PATCH_ATTEMPTS = 3;

async function loadRow(c: Context<AppEnv>, id: string): Promise<ScheduleRow> {
  const row = await readSchedule(c.env.DB, id, c.get("tenant"));
  if (!row) throw notFound(`Schedule ${id}`);
  return row;
}

/** The row a PATCH body makes of `row`; throws the 400 when the body is invalid. */
function patchedRow(c: Context<AppEnv>, row: ScheduleRow, body: unknown): ScheduleRow {
  const current = readStoredBatch(row.batch);
  const { patch, errors } = validateSchedulePatch(body, row.timezone, specContext(c), current);
  if (!patch) throw validationError(errors);
  const now = Date.now();
  const next: ScheduleRow = {
    ...row,
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.cron !== undefined ? { cron: patch.cron } : {}),
    timezone: patch.timezone,
    ...(patch.batch || patch.tags
      ? { batch: storedBatch(patch.batch ?? current.batch, patch.tags ?? current.tags) }
      : {}),
    ...(patch.enabled !== undefined ? { enabled: patch.enabled ? 1 : 0 } : {}),
    // strictly later than the version read, so two writers never leave the same updated_at
    updated_at: Math.max(now, row.updated_at + 1),
  };
  next.next_run_at = nextRunAfterPatch(row, next, now);
  return next;
}

export const scheduleRoutes = routeGroup()
  .openapi(createScheduleRoute, async (c) => {
    const { spec, errors } = validateSchedule(await readJsonBody(c), specContext(c));
    if (!spec) throw validationError(errors);
    const now = Date.now();
    const { name, cron, timezone, enabled, batch, tags } = spec;
    const row: ScheduleRow = {
      id: randomId("sched"),
      tenant: c.get("tenant"),
      name,
      cron,
      timezone,
      batch: storedBatch(batch, tags),
      origin: c.get("config").publicBaseUrl ?? new URL(c.req.url).origin,
      enabled: enabled ? 1 : 0,
      next_run_at: enabled ? nextRunAfter(cron, timezone, now) : null,
      last_run_at: null,
      last_batch_id: null,
      created_at: now,
      updated_at: now,
    };
    if (!(await insertScheduleUnderCap(c.env.DB, row, MAX_SCHEDULES_PER_CLIENT)))
      throw problem("too_many_schedules", { detail: tooManySchedules });
    c.header("Location", `/v1/schedules/${row.id}`);
    return c.json(scheduleView(row), 201);
  })
  .openapi(listSchedulesRoute, async (c) =>
    c.json({ data: (await listSchedules(c.env.DB, c.get("tenant"))).map(scheduleView), nextCursor: null }, 200),
  )
  .openapi(getScheduleRoute, async (c) => c.json(scheduleView(await loadRow(c, c.req.valid("param").id)), 200))
  .openapi(updateScheduleRoute, async (c) => {
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
