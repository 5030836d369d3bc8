// @seedrun/client: run Seedance and Seedream jobs on a seedrun server. See docs/client.md.
export { Seedrun, type RunOptions, type SeedrunOptions, type WithFiles } from "./client.ts";
export { SeedrunError, type FieldError } from "./errors.ts";
export { type CreateOptions, newIdempotencyKey, type WaitOptions, Jobs } from "./jobs.ts";
export { Paginator } from "./paginate.ts";
export { Batches, BudgetApi, Keys, Models, Pipelines, Schedules, Settings, type PollOptions } from "./resources.ts";
export { type FileInput, type UploadOptions, Uploads, isFileInput } from "./uploads.ts";
export { verifyWebhook, type HeaderSource, type VerifyOptions } from "./webhooks.ts";
export type * from "./types.ts";
export type { components, paths } from "./generated/openapi.ts";
