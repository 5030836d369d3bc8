// POST /callbacks/wiro/{jobId}/{token}: Wiro's completion signal. Authenticated only by the
// per-job token in the URL, which is derived from the job id under SIGNING_SECRET: the worker
// checks it itself, so a forged callback never wakes a Durable Object. The body is never read;
// the job confirms with Task/Detail.
import { Hono } from "hono";
import { readConfig } from "../../config.ts";
import { jobApi } from "../../jobs/job-client.ts";
import { isWiroCallbackToken } from "../../lib/callback-token.ts";
import { notFound } from "../../lib/errors.ts";
import type { AppEnv } from "../context.ts";

const JOB_ID = /^job_[0-9a-z]{20}$/;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export const callbackRoutes = new Hono<AppEnv>().post("/wiro/:jobId/:token", async (c) => {
  const { jobId, token } = c.req.param();
  // malformed ids and tokens never reach a Durable Object
  if (!JOB_ID.test(jobId) || !TOKEN.test(token)) throw notFound("Callback");
  // without a valid configuration no token can be checked; the job still finishes by polling
  const config = readConfig(c.env);
  if (!config.ok || !(await isWiroCallbackToken(config.config.signingSecret, jobId, token))) throw notFound("Callback");
  const accepted = await jobApi(c.env, jobId).wiroCallback(token);
  if (!accepted) throw notFound("Callback");
  return c.json({ received: true });
});
