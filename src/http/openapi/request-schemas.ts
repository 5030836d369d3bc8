// The request bodies in the OpenAPI document, generated from the zod schemas that validate them
// (src/schemas/, io "input") and, per model, from the catalogue's variant rules. They are JSON
// Schema components registered on the app (src/http/openapi/document.ts) and named by `$ref` in
// each route definition: a body is read and validated by its handler (src/http/request.ts), which
// adds the checks that depend on configuration, so one answer names every offending field.

import { z } from "zod";
import { DEFAULT_JOB_EVENTS } from "../../jobs/record.ts";
import { documentCatalogue } from "../../providers/catalogue/json-schema.ts";
import { MODEL_IDS, MODELS, type ModelId } from "../../providers/models.ts";
import { BATCH_WEBHOOK_URL, batchSchema, MAX_BATCH_JOBS } from "../../schemas/batch-spec.ts";
import { putBudgetSchema } from "../../schemas/costs.ts";
import { jobSpecSchema } from "../../schemas/job-spec.ts";
import { MAX_FAN_OUT, pipelineSchema, pipelineStepSchema } from "../../schemas/pipeline-spec.ts";
import { createScheduleSchema, patchScheduleSchema } from "../../schemas/schedule-spec.ts";
import { MAX_SCHEDULES_PER_CLIENT } from "../../schemas/schedule-view.ts";
import { putSettingsSchema } from "../../schemas/settings.ts";
import { MAX_FILE_BYTES, MAX_IMAGE_BYTES, MAX_UPLOAD_BODY_BYTES } from "../../schemas/upload-spec.ts";

type Json = Record<string, unknown>;
type JsonSchema = z.core.JSONSchema.BaseSchema;

export const slug = (id: ModelId) => id.replace(/[^A-Za-z0-9._-]+/g, ".");
export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const paramsName = (id: ModelId) => `Params.${slug(id)}`;
const requestName = (id: ModelId) => `CreateJob.${slug(id)}`;

/**
 * Fills in what `z.toJSONSchema(…, { io: "input" })` leaves out of our validators:
 * - a `.default()` over a transform loses its default; it is restored when it is also a valid input;
 * - `.trim().min(1)` exports as minLength 1, which accepts "   "; a `\S` pattern says "not blank";
 * - `x.transform(String).pipe(enum)` (Wiro's `duration`/`fps`) and `….pipe(z.number().int()…)`
 *   (Wiro's `seed`) export only the loose input types; the pipe's output constraints are applied to
 *   the input branches of the same JSON type, keeping only values the real schema accepts.
 */
function inputOverride(ctx: { zodSchema: z.core.$ZodTypes; jsonSchema: JsonSchema }): void {
  const { zodSchema, jsonSchema: json } = ctx;
  const def = zodSchema._zod.def;
  if (def.type === "default" && json.default === undefined) {
    const value: unknown = def.defaultValue;
    if (z.safeParse(def.innerType, value).success) json.default = value as JsonSchema["default"];
  }
  // `.trim().min(1)`: blank strings are refused, which minLength alone does not say
  if (
    def.type === "string" &&
    json.minLength === 1 &&
    json.pattern === undefined &&
    !z.safeParse(zodSchema, " ").success
  )
    json.pattern = "\\S";
  if (def.type !== "pipe") return;
  const out = (def.out as z.core.$ZodTypes)._zod.def;
  const accepts = (v: unknown) => z.safeParse(zodSchema, v).success;
  const branches: JsonSchema[] = Array.isArray(json.anyOf)
    ? json.anyOf
    : Array.isArray(json.type)
      ? json.type.map((type) => ({ type }))
      : [];
  if (branches.length === 0) return;
  let narrowed: JsonSchema[];
  if (out.type === "enum") {
    const values = Object.values(out.entries);
    narrowed = branches.flatMap((b): JsonSchema[] => {
      if (b.type === "string")
        return [{ ...b, enum: values.filter((v): v is string => typeof v === "string" && accepts(v)) }];
      if (b.type === "number" || b.type === "integer") {
        const numbers = values.map(Number).filter((n) => Number.isFinite(n) && accepts(n));
        return numbers.length > 0 ? [{ ...b, enum: numbers }] : [];
      }
      return [b];
    });
  } else if (out.type === "number") {
    const { $schema: _, ...numeric } = z.toJSONSchema(def.out, { io: "output" });
    narrowed = branches.map((b) => (b.type === "number" || b.type === "integer" ? { ...b, ...numeric } : b));
  } else return;
  delete json.type;
  json.anyOf = narrowed;
}

function toJson(schema: z.core.$ZodType): Json {
  const { $schema: _, ...json } = z.toJSONSchema(schema, { io: "input", override: inputOverride });
  return json;
}

/** Registered schemas become components that refer to each other by `$ref`. */
function components(entries: [string, z.core.$ZodType][]): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of entries) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    io: "input",
    uri: (id) => `#/components/schemas/${id}`,
    override: inputOverride,
  });
  const out: Record<string, Json> = {};
  for (const [id, json] of Object.entries(schemas)) {
    const { $schema: _s, $id: _i, ...rest } = json;
    out[id] = rest;
  }
  return out;
}

/** jobSpecSchema's refinements: at most 16 metadata values; no repeated event; events need a URL. */
function jobSpecRules(schema: Json): void {
  const props = schema.properties as Record<string, Json>;
  if (props.metadata)
    props.metadata = {
      ...props.metadata,
      maxProperties: 16,
      description: "Up to 16 string values, returned with the job.",
    };
  if (props.webhookEvents)
    props.webhookEvents = {
      ...props.webhookEvents,
      uniqueItems: true,
      description: `Default ${JSON.stringify(DEFAULT_JOB_EVENTS)}.`,
    };
  if (props.webhookUrl)
    props.webhookUrl = {
      ...props.webhookUrl,
      description: "HTTPS URL that receives each event, signed per Standard Webhooks.",
    };
  if (props.webhookEvents && props.webhookUrl) schema.dependentRequired = { webhookEvents: ["webhookUrl"] };
}

/** What the route checks after zod: a 5-field cron expression (croner), an IANA zone, a batch. */
function scheduleRequest(schema: z.core.$ZodType, title: string, description: string): Json {
  const json = toJson(schema);
  const props = json.properties as Record<string, Json>;
  return {
    ...json,
    title,
    description,
    properties: {
      ...props,
      name: { ...props.name, description: "Up to 100 characters." },
      cron: {
        ...props.cron,
        // necessary, not sufficient: the route parses the fields themselves (ranges, steps, names)
        pattern: "^\\s*\\S+(\\s+\\S+){4}\\s*$",
        description:
          "5 fields: minute hour day-of-month month day-of-week (ranges `1-5`, steps `*/15`, lists `1,15`, names `MON`, `JAN`); day-of-month and day-of-week combine with OR, as in classic cron.",
        examples: ["0 3 * * *", "*/15 * * * *", "0 9 * * MON-FRI"],
      },
      timezone: {
        ...props.timezone,
        description: "IANA time zone the expression is read in.",
        examples: ["UTC", "Europe/Istanbul", "America/New_York"],
      },
      batch: {
        ...ref("CreateBatch"),
        description: "Validated like `POST /v1/batches` (paths like `batch.jobs[0].params.textDescription`).",
      },
      enabled: { ...props.enabled, description: "A disabled schedule keeps its settings and has no `nextRunAt`." },
      tags: {
        ...props.tags,
        description: "Given to every job each run starts, after its own and the batch's; at most 10 per job in all.",
      },
    },
  };
}

export function requestComponents(): Record<string, Json> {
  const params = components(MODEL_IDS.map((id) => [paramsName(id), MODELS[id].params]));
  const out: Record<string, Json> = {};
  const spec = toJson(jobSpecSchema);
  jobSpecRules(spec);
  for (const id of MODEL_IDS) {
    const model = MODELS[id];
    const p = params[paramsName(id)]!;
    // the variant rules our validator checks in code, restated from the same catalogue
    if (model.catalogue) documentCatalogue(model.catalogue, p);
    const sent = `Sent to ${model.provider} \`${model.agent}\`; output: ${model.kind}.`;
    out[paramsName(id)] = {
      title: `${id} params`,
      ...p,
      description: p.description ? `${sent} ${String(p.description)}` : sent,
    };
    const props = spec.properties as Record<string, Json>;
    out[requestName(id)] = {
      ...spec,
      title: id,
      properties: { ...props, model: { type: "string", const: id }, params: ref(paramsName(id)) },
    };
  }
  const batch = toJson(batchSchema);
  const batchProps = batch.properties as Record<string, Json>;
  out.CreateBatch = {
    ...batch,
    description: `Up to ${MAX_BATCH_JOBS} jobs, all validated before any is created (paths like \`jobs[17].params.duration\`).`,
    properties: {
      ...batchProps,
      jobs: { ...batchProps.jobs, items: ref("CreateJob") },
      ...(batchProps.webhookUrl ? { webhookUrl: { ...batchProps.webhookUrl, description: BATCH_WEBHOOK_URL } } : {}),
    },
  };
  out.CreateSchedule = scheduleRequest(
    createScheduleSchema,
    "CreateSchedule",
    `Starts \`batch\` whenever \`cron\` is due in \`timezone\`; at most ${MAX_SCHEDULES_PER_CLIENT} schedules per API key.`,
  );
  out.PatchSchedule = scheduleRequest(
    patchScheduleSchema,
    "PatchSchedule",
    "Only the fields given change. A new `cron`, `timezone` or `enabled` recomputes `nextRunAt`; a new `batch` replaces the whole batch.",
  );
  const pipeline = toJson(pipelineSchema);
  out.CreatePipeline = {
    ...pipeline,
    description: `1–20 steps, each validated as a job (a reference counting as a valid URL of its output's kind). \`{{steps.<id>.outputs.<n>.url}}\` anywhere in params stands for output n of an earlier step; \`each\` runs one job per output of a step (at most ${MAX_FAN_OUT}), \`{{each.url}}\` standing for it; \`after\` orders steps without data.`,
    properties: {
      ...(pipeline.properties as Record<string, Json>),
      steps: { ...(pipeline.properties as Record<string, Json>).steps, items: toJson(pipelineStepSchema) },
    },
  };
  out.CreateQuote = {
    description:
      "One job spec, `{jobs: [...]}` as for `POST /v1/batches`, or `{pipeline: {steps}}` as for `POST /v1/pipelines`; validated the same way.",
    oneOf: [
      ref("CreateJob"),
      ref("CreateBatch"),
      {
        type: "object",
        required: ["pipeline"],
        properties: { pipeline: ref("CreatePipeline") },
        additionalProperties: false,
      },
    ],
  };
  out.PutBudget = {
    ...toJson(putBudgetSchema),
    description:
      "The caller's limits, at most one per unit, period and tag (a limit with `tag` counts only jobs carrying it); `[]` removes them all.",
  };
  out.PutSettings = {
    ...toJson(putSettingsSchema),
    description: "Retention and the default webhook; an omitted setting becomes null.",
  };
  out.UploadFile = {
    type: "object",
    description: "One file field; no other fields. Streamed into storage: it may be as large as the limit.",
    properties: {
      file: {
        type: "string",
        format: "binary",
        description: `An image (PNG, JPEG, WebP), a video (MP4, WebM, QuickTime) or audio (MP3, WAV, M4A/AAC), recognised by its bytes (the part's file name and declared type are ignored); at most 100 MiB (${MAX_FILE_BYTES} bytes).`,
      },
    },
    required: ["file"],
    additionalProperties: false,
  };
  out.UploadImage = {
    type: "object",
    description: "One file field; no other fields.",
    properties: {
      image: {
        type: "string",
        format: "binary",
        description: `PNG, JPEG or WebP, recognised by its bytes (the part's file name and declared type are ignored); at most 10 MiB (${MAX_IMAGE_BYTES} bytes), the whole body at most ${MAX_UPLOAD_BODY_BYTES} bytes.`,
      },
    },
    required: ["image"],
    additionalProperties: false,
  };
  out.CreateJob = {
    description:
      "A job for one model; `params` depend on `model` and use the provider's own names and values. URL inputs (images, frames, videos, audios) and `webhookUrl` must be public `https` URLs (no credentials, no non-default port, no private or loopback host), or links this server signed (`POST /v1/uploads`, stored outputs).",
    oneOf: MODEL_IDS.map((id) => ref(requestName(id))),
    discriminator: {
      propertyName: "model",
      mapping: Object.fromEntries(MODEL_IDS.map((id) => [id, `#/components/schemas/${requestName(id)}`])),
    },
  };
  for (const schema of Object.values(out)) defaultsInWords(schema);
  return out;
}

/**
 * These components describe what a client sends, where a field with a default may be left out.
 * Generators read a `default` keyword in a component as "always present" (openapi-typescript's
 * default settings make such a field required, since the same component could describe a
 * response), so an optional field's default is written in its description instead.
 */
function defaultsInWords(schema: Json): void {
  const props = schema.properties as Record<string, Json> | undefined;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  for (const [name, prop] of Object.entries(props ?? {})) {
    if (prop.default !== undefined && !required.has(name)) {
      const said = typeof prop.description === "string" ? prop.description : "";
      const words = `Default: ${JSON.stringify(prop.default)}.`;
      props![name] = { ...prop, description: /\bdefault\b/i.test(said) ? said : `${said} ${words}`.trim() };
      delete props![name]!.default;
    }
    defaultsInWords(props![name]!);
  }
}
