// Builds the provider client for a model from configuration; a missing key is a job failure
// (`provider_not_configured`), never a crash.
import type { Config } from "../config.ts";
import type { FetchFn } from "./http.ts";
import type { ModelSpec } from "./models.ts";
import { scrubbedProvider } from "./scrub.ts";
import type { Provider } from "./types.ts";
import { weshopProvider } from "./weshop.ts";
import { wiroProvider } from "./wiro.ts";

export type ProviderLookup = { ok: true; provider: Provider } | { ok: false; missing: string[] };

export function providerFor(model: ModelSpec, config: Config, fetch: FetchFn): ProviderLookup {
  if (model.provider === "weshop") {
    const apiKey = config.weshop.apiKey;
    if (!apiKey) return { ok: false, missing: ["WESHOP_API_KEY"] };
    return {
      ok: true,
      // what it reports is stored on the job: scrubbed of the key, like upload errors
      provider: scrubbedProvider(
        weshopProvider({
          endpoint: { ...config.weshop, apiKey },
          timeoutMs: config.providerTimeoutMs,
          fetch,
          agent: model.agent,
          kind: model.kind,
        }),
        [apiKey],
      ),
    };
  }
  const { apiKey, apiSecret } = config.wiro;
  // no secret: an API-key-only Wiro project (the kind is fixed when the project is created)
  if (!apiKey) return { ok: false, missing: ["WIRO_API_KEY"] };
  return {
    ok: true,
    provider: scrubbedProvider(
      wiroProvider({
        endpoint: { ...config.wiro, apiKey, apiSecret },
        timeoutMs: config.providerTimeoutMs,
        fetch,
        model: model.agent,
      }),
      [apiKey, apiSecret],
    ),
  };
}
