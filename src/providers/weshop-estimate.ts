// WeShop's price quote: `POST /agent/power-estimates` takes the same body as a run and answers
// `{totalPower, type, exclusive, paidPowerNotEnough, isEstimated?}` without starting anything
// (weshop-cli 0.2.22, dist/client.js `estimatePower`: no Idempotency-Key on this call).
import { z } from "zod";
import type { Config } from "../config.ts";
import { callJson, type FetchFn } from "./http.ts";
import type { ModelSpec } from "./models.ts";
import { scrubSecrets } from "./scrub.ts";
import type { Outcome } from "./types.ts";
import { data } from "./weshop.ts";
import { weshopRunBody } from "./weshop-run.ts";

const QUOTE_TIMEOUT_MS = 5_000;
const estimateData = z.looseObject({
  totalPower: z.number().finite().nonnegative(),
  isEstimated: z.boolean().optional(),
});

export interface PowerEstimate {
  totalPower: number;
  /** WeShop's own word that the figure is approximate (e.g. Seedance 2.5 with an automatic duration). */
  isEstimated: boolean;
}

/** The power a run of these params would cost; a failure is an Outcome, never a throw. */
export async function weshopPowerEstimate(
  model: ModelSpec,
  params: Record<string, unknown>,
  config: Config,
  fetch: FetchFn,
): Promise<Outcome<PowerEstimate>> {
  const apiKey = config.weshop.apiKey;
  if (!apiKey)
    return {
      ok: false,
      error: { retryable: false, code: "provider_not_configured", message: "WESHOP_API_KEY not set" },
    };
  const result = await callJson(
    fetch,
    `${config.weshop.baseUrl}/agent/power-estimates`,
    {
      method: "POST",
      headers: { Authorization: apiKey, Accept: "application/json", "Content-Type": "application/json" },
      body: JSON.stringify(weshopRunBody(model.agent, params)),
    },
    // a quote holds up the request that asked for it: never as long as a run's submit may take
    Math.min(config.providerTimeoutMs, QUOTE_TIMEOUT_MS),
    false,
  );
  const outcome = data(result, estimateData, false);
  if (!outcome.ok)
    return {
      ok: false,
      error: {
        ...outcome.error,
        code: scrubSecrets(outcome.error.code, [apiKey]),
        message: scrubSecrets(outcome.error.message, [apiKey]),
      },
    };
  return { ok: true, value: { totalPower: outcome.value.totalPower, isEstimated: outcome.value.isEstimated === true } };
}
