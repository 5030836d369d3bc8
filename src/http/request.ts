// Request and response helpers shared by the route modules.
import type { Context } from "hono";
import type { LinkSigner } from "../jobs/public-job.ts";
import { problem } from "../lib/problems.ts";
import { makeLinkSigner } from "../media/links.ts";
import type { SpecContext } from "../schemas/job-spec.ts";
import type { AppEnv } from "./context.ts";

export function linkSigner(c: Context<AppEnv>): LinkSigner {
  const config = c.get("config");
  return makeLinkSigner(config.signingSecret, config.publicBaseUrl ?? new URL(c.req.url).origin);
}

export async function readJsonBody(c: Context<AppEnv>): Promise<unknown> {
  const type = c.req.header("Content-Type") ?? "";
  // application/json or a +json type, with parameters; not application/json-seq and the like
  if (!/^application\/([\w.+-]*\+)?json\s*(;|$)/i.test(type)) throw problem("unsupported_media_type");
  const text = await c.req.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw problem("invalid_json");
  }
}

/** `Prefer: wait=N` (RFC 7240): seconds to hold the answer until the job ends, at most 60. */
export function preferredWait(c: Context<AppEnv>): number | undefined {
  const match = /(?:^|[,;\s])wait\s*=\s*(\d+)/i.exec(c.req.header("Prefer") ?? "");
  if (!match) return undefined;
  return Math.min(60, Number(match[1]));
}

/** What the spec validators need from the configuration (src/schemas/job-spec.ts SpecContext). */
export function specContext(c: Context<AppEnv>): SpecContext {
  const config = c.get("config");
  return { allowLoopbackHttp: config.devMode, webhooksEnabled: config.webhookSecret !== undefined };
}
