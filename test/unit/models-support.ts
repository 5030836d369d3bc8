// What the catalogue tests share: a model's params checked the way the API checks them (every
// offending field under params.*), and a few media URLs to put in them.
import { fieldErrors } from "../../src/lib/validation.ts";
import { MODELS, type ModelId } from "../../src/providers/models.ts";

export function check(model: ModelId, params: Record<string, unknown>) {
  const r = MODELS[model].params.safeParse(params);
  return r.success
    ? { data: r.data, errors: [] }
    : { data: undefined, errors: fieldErrors(r.error.issues, ["params"]) };
}
export const paths = (model: ModelId, params: Record<string, unknown>) =>
  check(model, params)
    .errors.map((e) => e.path)
    .sort();
export const img = "https://example.com/a.png";
export const vid = "https://example.com/v.mp4";
export const vid2 = "https://example.com/w.mp4";
export const aud = "https://example.com/a.mp3";
export const urls = (n: number, base = img) => Array.from({ length: n }, (_, i) => `${base}?${i}`);
