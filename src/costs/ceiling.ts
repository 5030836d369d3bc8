// The most a run may cost when the provider's quote is only approximate: WeShop marks a power
// estimate `isEstimated` when the model chooses the length itself (Seedance 2.5 `duration: "-1"`).
// Such a run may come out as long as the model's rules allow, so a budget reserves the quote for
// that longest run: WeShop's own estimate of the same body with the duration at its maximum.
import type { ModelSpec } from "../providers/models.ts";

/** The params of the longest run the model's rules allow, when the duration is left to the model; undefined otherwise. */
export function longestRun(model: ModelSpec, params: Record<string, unknown>): Record<string, unknown> | undefined {
  const catalogue = model.catalogue;
  if (!catalogue || params.duration !== "-1") return undefined;
  const implicit = "variant" in catalogue.implicit ? catalogue.implicit.variant : undefined;
  const variant = catalogue.variants[String(params.modelName ?? implicit ?? "")];
  const take = variant?.takes.duration ?? catalogue.common.takes.duration;
  if (!take || typeof take !== "object" || !("seconds" in take) || !take.auto) return undefined;
  return { ...params, duration: `${take.seconds[1]}s` };
}
