// The shapes of the ids this service hands out and of the tokens it accepts, defined once: the
// routes refuse anything else with 404 before a Durable Object is touched, and the OpenAPI
// document states the same patterns.

/** `job_` + 20 base-36 characters (randomId / derivedId in crypto.ts). */
export const JOB_ID = /^job_[0-9a-z]{20}$/;
export const BATCH_ID = /^batch_[0-9a-z]{20}$/;
export const PIPELINE_ID = /^pipe_[0-9a-z]{20}$/;
export const SCHEDULE_ID = /^sched_[0-9a-z]{20}$/;
/** A stored upload (POST /v1/uploads, field `file`). */
export const UPLOAD_ID = /^upl_[0-9a-z]{20}$/;
/** The per-job Wiro callback token: 32 bytes of HMAC, base64url without padding. */
export const CALLBACK_TOKEN = /^[A-Za-z0-9_-]{43}$/;
/** Idempotency-Key: 1 to 255 visible ASCII characters. */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
