// The shape of a model catalogue: the fields an agent knows (their value forms), and per variant
// which of them it takes, with which values, and the rules between fields. Data only: the engine
// (engine.ts) turns a catalogue into the validator, the URL list and the run-time guess.
import type { z } from "zod";

export type Params = Record<string, unknown>;

/** What one variant takes of a field. A field the agent knows but the variant does not list is refused. */
export type Take =
  | true
  /** these values only; `send: false` accepts them but leaves the field out (a value the variant ignores) */
  | { values: readonly string[]; send?: false }
  /** a list of min..max entries (min > 0 makes the field required) */
  | { count: readonly [number, number] }
  /** whole seconds in this range, or the agent's auto value when `auto` */
  | { seconds: readonly [number, number]; auto?: boolean };

export type Rule =
  /** when `field` is given (with `value`, if named), at least one of `needs` must be given too */
  | { field: string; value?: string; needs: readonly string[] }
  /** when `field` is given, none of `excludes` may be */
  | { field: string; excludes: readonly string[] }
  /** the entries of these fields together (a list counts its length, a single value 1), reported at `field` */
  | { field: string; total: readonly string[]; max: number };

export interface Variant {
  takes: Record<string, Take>;
  /** Sent when the caller gives no value. */
  defaults: Params;
  rules?: readonly Rule[];
}

export interface Catalogue {
  /** WeShop agent name (version v1.0). */
  agent: string;
  kind: "video" | "image";
  /** Value form of every field any variant takes (besides modelName); none has a default. */
  fields: Record<string, z.ZodType>;
  /** Required whatever the variant. */
  required: readonly string[];
  /** Fields whose values are URLs the service fetches: each goes through the URL safety check. */
  urlFields: readonly string[];
  /** Taken by every variant, with their defaults. */
  common: { takes: Record<string, Take>; defaults: Params };
  variants: Record<string, Variant>;
  /**
   * Without a modelName: `variant` is used; or the first of `firstFitting` whose rules the request
   * meets, with `defaults` filling what the caller left out (values every candidate takes).
   */
  implicit: { variant: string } | { firstFitting: readonly string[]; defaults: Params };
  /** Undoes `finish` on a request before it is checked, so a job's own params validate again as they are. */
  prepare?: (params: Params) => Params;
  /** Last touches to what is sent, after defaults (e.g. the official client's placement of a value). */
  finish?: (params: Params) => Params;
  /** Prior guess of how long a run of these params takes. */
  expectedRunMs: (params: Params) => number;
}
