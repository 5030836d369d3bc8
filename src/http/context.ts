// Types shared by the Hono app and its route modules.
import type { Config } from "../config.ts";

export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    config: Config;
    /** Hash of the caller's API key: the tenant that owns what it creates. */
    tenant: string;
  };
}
