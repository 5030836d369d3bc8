// @seedrun/client: run Seedance and Seedream jobs on a seedrun server. See docs/client.md.
export { type RunOptions, Seedrun, type SeedrunOptions, type WithFiles } from "./client.ts";
export { type FieldError, SeedrunError } from "./errors.ts";
export type { components, paths } from "./generated/openapi.ts";
export { type CreateOptions, Jobs, newIdempotencyKey, type WaitOptions } from "./jobs.ts";
export { Paginator } from "./paginate.ts";
export { Batches, BudgetApi, Keys, Models, Pipelines, type PollOptions, Schedules, Settings } from "./resources.ts";
export type * from "./types.ts";
export { type FileInput, isFileInput, type UploadOptions, Uploads } from "./uploads.ts";
export { type HeaderSource, type VerifyOptions, verifyWebhook } from "./webhooks.ts";
