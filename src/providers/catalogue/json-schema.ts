// Restates a catalogue's variant rules in JSON Schema for the OpenAPI document: what the zod export
// of the params form cannot see (per-variant values, counts and durations, the rules between
// fields) as `if modelName … then …`, plus a description per field. The OpenAPI tests check the
// validator and this agree.
import type { Catalogue, Params, Take } from "./types.ts";

type Json = Record<string, unknown>;

const takesOf = (cat: Catalogue, name: string): Record<string, Take | undefined> => ({
  ...cat.common.takes,
  ...cat.variants[name]!.takes,
});

function secondsPattern(take: Extract<Take, { seconds: unknown }>): string {
  const [min, max] = take.seconds;
  const numbers = Array.from({ length: max - min + 1 }, (_, i) => min + i).join("|");
  return `^(?:${take.auto ? "-1|" : ""}(?:${numbers})s)$`;
}

/** The raw inputs (strings, or JSON booleans where the form takes them) that normalise to a taken value. */
function acceptedInputs(cat: Catalogue, field: string, values: readonly string[]): unknown[] {
  const form = cat.fields[field]!;
  return [...values, true, false].filter((v) => {
    const r = form.safeParse(v);
    return r.success && values.includes(String(r.data));
  });
}

function constraints(cat: Catalogue, name: string): Json {
  const takes = takesOf(cat, name);
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const field of Object.keys(cat.fields)) {
    const take = takes[field];
    if (!take) properties[field] = false;
    else if (take === true) continue;
    else if ("values" in take) properties[field] = { enum: acceptedInputs(cat, field, take.values) };
    else if ("count" in take) {
      properties[field] = { minItems: take.count[0], maxItems: take.count[1] };
      if (take.count[0] > 0) required.push(field);
    } else properties[field] = { pattern: secondsPattern(take) };
  }
  const rules = (cat.variants[name]!.rules ?? []).flatMap((rule): Json[] => {
    const given: Json = {
      required: [rule.field],
      ...("needs" in rule && rule.value !== undefined ? { properties: { [rule.field]: { const: rule.value } } } : {}),
    };
    if ("needs" in rule) return [{ if: given, then: { anyOf: rule.needs.map((n) => ({ required: [n] })) } }];
    if ("excludes" in rule)
      return [{ if: given, then: { not: { anyOf: rule.excludes.map((n) => ({ required: [n] })) } } }];
    return []; // a sum over fields has no JSON Schema keyword; the description says it
  });
  return { properties, ...(required.length ? { required } : {}), ...(rules.length ? { allOf: rules } : {}) };
}

function takeText(take: Take | undefined): string {
  if (!take) return "not taken";
  if (take === true) return "taken";
  if ("values" in take) return take.values.join(", ") + (take.send === false ? " (accepted, not sent)" : "");
  if ("count" in take)
    return take.count[0] === take.count[1] ? `exactly ${take.count[0]}` : `${take.count[0]}–${take.count[1]}`;
  return `${take.auto ? '"-1" (auto) or ' : ""}${take.seconds[0]}s–${take.seconds[1]}s`;
}

/** "A, B: x; C: y" — variants that share a text are named together. */
function perVariant(names: string[], text: (name: string) => string | undefined): string {
  const groups = new Map<string, string[]>();
  for (const name of names) {
    const t = text(name);
    if (t !== undefined) groups.set(t, [...(groups.get(t) ?? []), name]);
  }
  const all = [...groups];
  // one text for every variant needs no names
  if (all.length === 1 && all[0]![1].length === names.length && names.length > 1) return all[0]![0];
  return all.map(([t, group]) => `${group.join(", ")}: ${t}`).join("; ");
}

const implicitDefaults = (cat: Catalogue): Params =>
  "variant" in cat.implicit ? cat.variants[cat.implicit.variant]!.defaults : cat.implicit.defaults;

function ruleText(rule: NonNullable<Catalogue["variants"][string]["rules"]>[number]): string {
  if ("needs" in rule)
    return `${rule.field}${rule.value !== undefined ? ` "${rule.value}"` : ""} needs ${rule.needs.join(" or ")}`;
  if ("excludes" in rule) return `${rule.field} excludes ${rule.excludes.join(", ")}`;
  return `${rule.total.join(" + ")} at most ${rule.max} in all`;
}

/** Adds the catalogue's rules and descriptions to the exported JSON Schema of its params. */
export function documentCatalogue(cat: Catalogue, schema: Json): void {
  const props = schema.properties as Record<string, Json>;
  const names = Object.keys(cat.variants);
  const branches: Json[] = names.map((name) => ({
    if: { properties: { modelName: { const: name } }, required: ["modelName"] },
    then: constraints(cat, name),
  }));
  const absent = { not: { required: ["modelName"] } };
  if ("variant" in cat.implicit) {
    branches.push({ if: absent, then: constraints(cat, cat.implicit.variant) });
    if (props.modelName) props.modelName = { ...props.modelName, default: cat.implicit.variant };
  } else {
    const candidates = cat.implicit.firstFitting;
    branches.push({ if: absent, then: { anyOf: candidates.map((c) => constraints(cat, c)) } });
    if (props.modelName)
      props.modelName.description = `Always sent. Without it: the first of ${candidates.join(", ")} that takes every given value.`;
  }
  schema.allOf = branches;
  for (const field of Object.keys(cat.fields)) {
    const prop = props[field];
    if (!prop || Object.hasOwn(cat.common.takes, field)) continue;
    const defaults = perVariant(names, (n) =>
      cat.variants[n]!.defaults[field] === undefined ? undefined : JSON.stringify(cat.variants[n]!.defaults[field]),
    );
    const implicit = implicitDefaults(cat)[field];
    const fallback =
      implicit !== undefined && !("variant" in cat.implicit) ? ` Without modelName: ${JSON.stringify(implicit)}.` : "";
    const takes = perVariant(names, (n) => takeText(takesOf(cat, n)[field]));
    const text = `${takes === "taken" ? "" : `${takes}.`}${defaults ? ` Default: ${defaults}.` : ""}${fallback}`.trim();
    if (text) prop.description = text;
    const all = [...names.map((n) => cat.variants[n]!.defaults[field]), implicit];
    if (all.every((d) => d !== undefined && d === all[0])) prop.default = all[0];
  }
  for (const [field, value] of Object.entries(cat.common.defaults)) if (props[field]) props[field].default = value;
  if (props.safeGenerate)
    props.safeGenerate.description =
      'WeShop\'s content-safety switch, sent top-level in the run request (not among its params); default "on".';
  const rules = perVariant(names, (n) => (cat.variants[n]!.rules ?? []).map(ruleText).join("; ") || undefined);
  if (rules)
    schema.description = `${schema.description ? `${String(schema.description)} ` : ""}Rules between fields — ${rules}.`;
}
