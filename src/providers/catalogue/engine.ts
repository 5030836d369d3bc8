// Turns a model catalogue (types.ts) into what the rest of the service reads: the params validator
// (every offending field in one answer, variant rules included whatever else is wrong), the
// normalised params that are sent, the URL-valued inputs for the safety check, the run-time guess.
import { z } from "zod";
import { oneOf, url } from "./fields.ts";
import type { Catalogue, Params, Take } from "./types.ts";

interface Issue {
  field: string;
  message: string;
}

const isObject = (v: unknown): v is Params => typeof v === "object" && v !== null && !Array.isArray(v);

/** Fields of `raw` whose value has the right form, as that form normalises them. */
function parsedFields(cat: Catalogue, raw: Params): Params {
  const out: Params = {};
  for (const [field, form] of Object.entries(cat.fields)) {
    if (raw[field] === undefined) continue;
    const r = form.safeParse(raw[field]);
    if (r.success) out[field] = r.data;
  }
  return out;
}

const takesOf = (cat: Catalogue, name: string): Record<string, Take | undefined> => ({
  ...cat.common.takes,
  ...cat.variants[name]!.takes,
});

/** Variants that would take this value of `field` (for "…needs X" hints). */
function takenBy(cat: Catalogue, field: string, fits: (take: Take) => boolean): string[] {
  return Object.keys(cat.variants).filter((name) => {
    const take = takesOf(cat, name)[field];
    return take !== undefined && fits(take);
  });
}
const either = (names: string[]) =>
  names.length <= 1 ? names.join("") : `${names.slice(0, -1).join(", ")} or ${names.at(-1)}`;

function secondsIn(take: Extract<Take, { seconds: unknown }>, value: string): boolean {
  if (value === "-1") return take.auto === true;
  const n = Number.parseInt(value, 10);
  return n >= take.seconds[0] && n <= take.seconds[1];
}

/** Every way the request breaks `name`'s rules. `raw` says what the caller gave (whatever its form). */
function check(cat: Catalogue, name: string, given: Params, raw: Params): Issue[] {
  const issues: Issue[] = [];
  const takes = takesOf(cat, name);
  const present = (field: string) => raw[field] !== undefined;
  for (const field of Object.keys(cat.fields)) {
    const take = takes[field];
    if (!present(field)) {
      if (take && typeof take === "object" && "count" in take && take.count[0] > 0)
        issues.push({ field, message: `is required for ${name} (at least ${take.count[0]})` });
      continue;
    }
    if (!take) {
      const others = takenBy(cat, field, () => true);
      issues.push({
        field,
        message: `is not supported by ${name}${others.length ? `; it needs ${either(others)}` : ""}`,
      });
      continue;
    }
    const value = given[field];
    // a value of the wrong form has its own message from the field's form
    if (value === undefined || take === true) continue;
    if ("values" in take && !take.values.includes(String(value))) {
      const others = takenBy(
        cat,
        field,
        (t) => t === true || (typeof t === "object" && "values" in t && t.values.includes(String(value))),
      );
      issues.push({
        field,
        message: `must be one of: ${take.values.join(", ")} for ${name}${others.length ? `; "${String(value)}" needs ${either(others)}` : ""}`,
      });
    } else if ("count" in take && Array.isArray(value)) {
      const [min, max] = take.count;
      if (value.length > max) {
        const others = takenBy(cat, field, (t) => typeof t === "object" && "count" in t && t.count[1] >= value.length);
        issues.push({
          field,
          message: `takes at most ${max} for ${name}${others.length ? `; ${value.length} need ${either(others)}` : ""}`,
        });
      } else if (value.length < min) issues.push({ field, message: `needs at least ${min} for ${name}` });
    } else if ("seconds" in take && typeof value === "string" && !secondsIn(take, value)) {
      const range = `from ${take.seconds[0]}s to ${take.seconds[1]}s`;
      issues.push({ field, message: `must be ${take.auto ? `"-1" (auto) or ` : ""}${range} for ${name}` });
    }
  }
  for (const rule of cat.variants[name]!.rules ?? []) {
    if (!present(rule.field)) continue;
    if ("needs" in rule) {
      if (rule.value !== undefined && given[rule.field] !== rule.value) continue;
      if (!rule.needs.some(present))
        issues.push({
          field: rule.field,
          message: `${rule.value !== undefined ? `"${rule.value}" ` : ""}needs ${either([...rule.needs])} (${name})`,
        });
    } else if ("excludes" in rule) {
      const clash = rule.excludes.filter(present);
      if (clash.length)
        issues.push({ field: rule.field, message: `cannot be combined with ${clash.join(", ")} (${name})` });
    } else {
      const count = rule.total.reduce(
        (n, f) => n + (Array.isArray(given[f]) ? (given[f] as unknown[]).length : given[f] !== undefined ? 1 : 0),
        0,
      );
      // a field already over its own limit says enough
      if (count > rule.max && !issues.some((i) => i.field === rule.field))
        issues.push({
          field: rule.field,
          message: `${rule.total.join(" + ")} must be at most ${rule.max} in all for ${name}`,
        });
    }
  }
  return issues;
}

export interface Choice {
  name: string;
  /** What fills the fields the caller left out. */
  defaults: Params;
  issues: Issue[];
}

/** The variant a request runs on, with what it breaks; undefined when modelName itself is bad. */
export function chooseVariant(cat: Catalogue, request: Params): Choice | undefined {
  const raw = cat.prepare ? cat.prepare(request) : request;
  const given = parsedFields(cat, raw);
  const named = raw.modelName;
  const pick = (name: string, defaults: Params): Choice => ({ name, defaults, issues: check(cat, name, given, raw) });
  if (named !== undefined) {
    if (typeof named !== "string" || !Object.hasOwn(cat.variants, named)) return undefined;
    return pick(named, cat.variants[named]!.defaults);
  }
  if ("variant" in cat.implicit) return pick(cat.implicit.variant, cat.variants[cat.implicit.variant]!.defaults);
  // the first candidate the request fits; when none fits, the one it breaks least
  const { firstFitting, defaults } = cat.implicit;
  const filled = { ...defaults, ...raw };
  let best: Choice | undefined;
  for (const name of firstFitting) {
    const choice = { name, defaults, issues: check(cat, name, { ...defaults, ...given }, filled) };
    if (choice.issues.length === 0) return choice;
    if (!best || choice.issues.length < best.issues.length) best = choice;
  }
  return best;
}

/** What is sent: the chosen variant's name, its defaults for what the caller left out, nothing it ignores. */
function finalParams(cat: Catalogue, params: Params): Params {
  const choice = chooseVariant(cat, params)!;
  const takes = takesOf(cat, choice.name);
  const out: Params = { modelName: choice.name, ...cat.common.defaults, ...choice.defaults };
  for (const [field, value] of Object.entries(cat.prepare ? cat.prepare(params) : params))
    if (value !== undefined && field !== "modelName") out[field] = value;
  for (const [field, take] of Object.entries(takes))
    if (take && typeof take === "object" && "values" in take && take.send === false) delete out[field];
  return cat.finish ? cat.finish(out) : out;
}

/** The params validator and normaliser of a catalogue. */
export function catalogueSchema(cat: Catalogue): z.ZodType<Params> {
  const names = Object.keys(cat.variants) as [string, ...string[]];
  const shape: Record<string, z.ZodType> = { modelName: oneOf(names).optional() };
  for (const [field, form] of Object.entries(cat.fields))
    shape[field] = cat.required.includes(field) ? form : form.optional();
  return z
    .strictObject(shape)
    .superRefine(
      (p, ctx) => {
        if (!isObject(p)) return;
        for (const issue of chooseVariant(cat, p)?.issues ?? [])
          ctx.addIssue({ code: "custom", path: [issue.field], message: issue.message });
      },
      // the variant rules run even when other fields are invalid, so one answer lists every problem
      { when: () => true },
    )
    .transform((p) => finalParams(cat, p as Params)) as unknown as z.ZodType<Params>;
}

/** The URL-valued inputs of raw params, with their paths; only entries shaped like a URL string. */
export function urlsOf(fields: readonly string[], params: Params): { path: (string | number)[]; url: string }[] {
  const good = (v: unknown): v is string => typeof v === "string" && url.safeParse(v).success;
  return fields.flatMap((field) => {
    const value = params[field];
    if (good(value)) return [{ path: [field], url: value }];
    if (!Array.isArray(value)) return [];
    return value.flatMap((v: unknown, i) => (good(v) ? [{ path: [field, i], url: v }] : []));
  });
}
