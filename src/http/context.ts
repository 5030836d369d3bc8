// Types shared by the Hono app and its route modules.
import type { Config } from "../config.ts";
import type { Scope } from "../schemas/scopes.ts";

/** Who is calling: a created key (`keyId`) or an API_KEYS entry (root, every scope). */
export interface Caller {
  keyId: string | null;
  name: string;
  scopes: Scope[];
  root: boolean;
}

import type { Logger } from "../lib/log.ts";

export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    /** This request's logger: its lines carry requestId and the job/batch/pipeline it concerns (routes may `bind` more). */
    log: Logger;
    config: Config;
    /** The tenant that owns what the caller creates (for an API_KEYS entry, the hash of the key, as always). */
    tenant: string;
    /** The key itself (never its secret): scopes and id, set by bearerAuth. */
    caller: Caller;
  };
}
