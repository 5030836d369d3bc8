// The definitions of the /v1/schedules operations (handlers in schedules.ts).
import { createRoute } from "@hono/zod-openapi";
import { MAX_SCHEDULES_PER_CLIENT, scheduleListSchema, scheduleSchema } from "../../schemas/views.ts";
import { cronError, nightlyRequest, nightlySchedule, ranSchedule, scheduleValidationExample } from "../openapi/examples.ts";
import { EXAMPLE_SCHEDULE_ID, locationHeader, scheduleIdParams } from "../openapi/params.ts";
import {
  authenticated,
  requires,
  authProblems,
  jsonBodyProblems,
  notFoundProblem,
  problemExample,
  problemResponse,
  REQUEST_ID_HEADER,
  validationProblem,
} from "../openapi/problems.ts";
import { ref } from "../openapi/request-schemas.ts";

/** The words of the 422 and 409 the handlers throw, and of their examples. */
export const tooManySchedules = `A client may have at most ${MAX_SCHEDULES_PER_CLIENT} schedules; delete one first.`;
export const scheduleConflict = (id: string) => `Schedule ${id} kept changing while it was being updated; try again.`;

const scheduleNotFound = notFoundProblem("Schedule", EXAMPLE_SCHEDULE_ID);
const schedule = (description: string, examples: Record<string, { summary: string; value: unknown }>, headers = {}) => ({
  description,
  headers: { ...REQUEST_ID_HEADER, ...headers },
  content: { "application/json": { schema: scheduleSchema, examples } },
});

export const createSchedule = createRoute({
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
        "application/json": { schema: ref("CreateSchedule"), examples: { nightly: { summary: "Every night at 03:00 in Istanbul", value: nightlyRequest } } },
      },
    },
  },
  responses: {
    201: schedule("Created.", { created: { summary: "A new schedule", value: nightlySchedule } }, locationHeader("/v1/schedules/{id}")),
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
        "application/json": { schema: scheduleListSchema, examples: { one: { summary: "One schedule", value: { data: [ranSchedule], nextCursor: null } } } },
      },
    },
    ...authProblems,
  },
});

export const getSchedule = createRoute({
  method: "get",
  path: "/v1/schedules/{id}",
  operationId: "getSchedule",
  summary: "Get a schedule",
  description:
    "The schedule with its `nextRunAt`, `lastRunAt`, `lastBatchId` and, when its last due run was skipped, why. A schedule of another API key is `404`.",
  tags: ["Schedules"],
  ...authenticated,
  request: { params: scheduleIdParams },
  responses: { 200: schedule("The schedule.", { ran: { summary: "After its first run", value: ranSchedule } }), 404: scheduleNotFound, ...authProblems },
});

export const updateSchedule = createRoute({
  method: "patch",
  path: "/v1/schedules/{id}",
  operationId: "updateSchedule",
  summary: "Change a schedule",
  description: "Only the fields sent change; a new `cron`, `timezone` or `enabled` recomputes `nextRunAt`. Runs already started are not affected.",
  tags: ["Schedules"],
  ...requires("schedules:write"),
  request: {
    params: scheduleIdParams,
    body: {
      required: true,
      content: {
        "application/json": {
          schema: ref("PatchSchedule"),
          examples: { pause: { summary: "Pause", value: { enabled: false } }, weekdays: { summary: "Weekdays at 06:30", value: { cron: "30 6 * * 1-5" } } },
        },
      },
    },
  },
  responses: {
    200: schedule("The changed schedule.", {
      paused: { summary: "Paused", value: { ...ranSchedule, enabled: false, nextRunAt: null, updatedAt: "2026-11-22T08:00:00.000Z" } },
    }),
    ...jsonBodyProblems({ validation_failed: validationProblem([cronError("0 25 * * *")]) }),
    404: scheduleNotFound,
    409: problemResponse("The schedule kept changing (a due run being recorded) while it was updated; send the PATCH again", {
      schedule_conflict: problemExample("schedule_conflict", { detail: scheduleConflict(EXAMPLE_SCHEDULE_ID) }),
    }),
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
