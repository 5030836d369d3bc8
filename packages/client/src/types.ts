// The API's types, read from the generated OpenAPI types (src/generated/openapi.ts) by path and
// method rather than by component name, so a renamed schema does not break the client. Routes the
// document does not describe yet fall back to the small shapes of the contract written below.
import type { paths } from "./generated/openapi.ts";

type Json<T> = T extends { content: { "application/json": infer B } } ? B : never;
type OkStatus = 200 | 201 | 202;
type Op<P, M> = P extends keyof paths ? (M extends keyof paths[P] ? NonNullable<paths[P][M]> : never) : never;

/** The JSON body a route accepts, or `Fallback` when the document has no such route. */
export type RequestBody<P, M, Fallback = never> = [Op<P, M>] extends [never]
  ? Fallback
  : Op<P, M> extends { requestBody?: infer R }
    ? Json<NonNullable<R>>
    : Fallback;

/** The JSON body of a route's success answer, or `Fallback` when the document has no such route. */
export type ResponseBody<P, M, Fallback = never> = [Op<P, M>] extends [never]
  ? Fallback
  : Op<P, M> extends { responses: infer R }
    ? Json<R[Extract<keyof R, OkStatus>]>
    : Fallback;

/** A route's query parameters. */
export type Query<P, M> = Op<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : Record<string, never>;

export type Job = ResponseBody<"/v1/jobs/{id}", "get">;
export type JobStatus = Job["status"];
export type JobOutput = Job["outputs"][number];
export type CreateJob = RequestBody<"/v1/jobs", "post">;
export type ModelId = CreateJob["model"];
/** The params of one model, as its schema in the OpenAPI document gives them. */
export type ParamsOf<M extends ModelId> = Extract<CreateJob, { model: M }>["params"];
export type JobList = ResponseBody<"/v1/jobs", "get">;
export type JobQuery = Query<"/v1/jobs", "get"> & { pipelineId?: string; tag?: string };

export type CreateBatch = RequestBody<"/v1/batches", "post">;
export type Batch = ResponseBody<"/v1/batches/{id}", "get">;
export type BatchQuery = Query<"/v1/batches", "get">;
export type CreateSchedule = RequestBody<"/v1/schedules", "post">;
export type UpdateSchedule = RequestBody<"/v1/schedules/{id}", "patch">;
export type Schedule = ResponseBody<"/v1/schedules/{id}", "get">;
export type CreateQuote = RequestBody<"/v1/quotes", "post">;
export type Quote = ResponseBody<"/v1/quotes", "post">;
export type Budget = ResponseBody<"/v1/budget", "get">;
export type PutBudget = RequestBody<"/v1/budget", "put">;
export type Usage = ResponseBody<"/v1/usage", "get">;
export type UsageQuery = Query<"/v1/usage", "get">;
export type ModelList = ResponseBody<"/v1/models", "get">;
export type ModelDetail = ResponseBody<"/v1/models/{id}", "get">;

/** An uploaded file (contract: "Uploads of any media"). */
export type Upload = ResponseBody<
  "/v1/uploads",
  "post",
  {
    id: string;
    url: string;
    kind: "image" | "video" | "audio";
    contentType: string;
    size: number;
    sha256: string;
    expiresAt: string;
  }
> & {
  id?: string;
  kind?: "image" | "video" | "audio";
  contentType?: string;
  size?: number;
  sha256?: string;
  expiresAt?: string;
};

export interface PipelineStepSpec {
  id: string;
  model: ModelId;
  params: Record<string, unknown>;
  each?: string;
  after?: string[];
}
export type CreatePipeline = RequestBody<
  "/v1/pipelines",
  "post",
  {
    steps: PipelineStepSpec[];
    webhookUrl?: string;
    webhookEvents?: string[];
    metadata?: Record<string, string>;
    tags?: string[];
    deadline?: string;
  }
>;
export type Pipeline = ResponseBody<
  "/v1/pipelines/{id}",
  "get",
  {
    id: string;
    status: "running" | "succeeded" | "failed" | "canceled";
    steps: {
      id: string;
      model: string;
      status: "waiting" | "running" | "succeeded" | "failed" | "canceled" | "skipped";
      jobIds: string[];
    }[];
    cost: { estimate: { unit: string; amount: number }[]; actual: { unit: string; amount: number }[] };
    metadata: Record<string, string>;
    tags: string[];
    createdAt: string;
    completedAt?: string;
  }
>;

export type CreateKey = RequestBody<"/v1/keys", "post", { name: string; scopes: string[]; expiresAt?: string }>;
export interface KeyInfo {
  id: string;
  name: string;
  scopes: string[];
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}
/** A new key: `key` is shown only in this answer. */
export type NewKey = ResponseBody<"/v1/keys", "post", KeyInfo & { key: string }>;

/** A page of a list: `data` and the cursor of the next page (`null` on the last). */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** An outgoing webhook's body. */
export interface WebhookEvent<T = unknown> {
  type: string;
  timestamp: string;
  data: T;
}
