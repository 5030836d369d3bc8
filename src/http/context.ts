// Types shared by the Hono app and its route modules.
import type { Config } from "../config.ts";
import type { Logger } from "../lib/log.ts";

export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    /** This request's logger: its lines carry requestId and the job/batch/pipeline it concerns (routes may `bind` more). */
    log: Logger;
    config: Config;
    /** Hash of the caller's API key: the tenant that owns what it creates. */
    tenant: string;
  };
}
