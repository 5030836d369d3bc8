// References between pipeline steps: `{{steps.<id>.outputs.<n>.url}}` and `{{each.url}}`, found
// anywhere in a step's params (inside arrays and objects too) and replaced by real URLs when the
// step runs. Pure functions: the validator and the workflow both use them.
import type { OutputKind } from "../providers/models.ts";

export type Reference = { kind: "output"; step: string; index: number } | { kind: "each" };

export interface FoundReference {
  /** Path inside params, e.g. ["images", 0]. */
  path: (string | number)[];
  ref: Reference | null;
  /** The string as given (for messages). */
  text: string;
}

const OUTPUT_REF = /^\{\{steps\.([A-Za-z0-9_-]{1,64})\.outputs\.(\d{1,3})\.url\}\}$/;
const EACH_REF = /^\{\{each\.url\}\}$/;
/** A string that looks like it meant to be a reference: reported if it is not exactly one. */
const LOOKS_LIKE_REF = /\{\{\s*(steps|each)\b/;

/** The reference a string stands for, or null if it looks like one and is not; undefined if it is plain text. */
export function parseReference(text: string): Reference | null | undefined {
  const output = OUTPUT_REF.exec(text);
  if (output) return { kind: "output", step: output[1]!, index: Number(output[2]) };
  if (EACH_REF.test(text)) return { kind: "each" };
  return LOOKS_LIKE_REF.test(text) ? null : undefined;
}

/** Every reference-like string in `value`, with its path. */
export function findReferences(value: unknown, path: (string | number)[] = []): FoundReference[] {
  if (typeof value === "string") {
    const ref = parseReference(value);
    return ref === undefined ? [] : [{ path, ref, text: value }];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => findReferences(v, [...path, i]));
  if (typeof value === "object" && value !== null)
    return Object.entries(value).flatMap(([k, v]) => findReferences(v, [...path, k]));
  return [];
}

/** A copy of `value` with every reference string replaced by what `resolve` gives for it. */
export function substitute(value: unknown, resolve: (ref: Reference) => string): unknown {
  if (typeof value === "string") {
    const ref = parseReference(value);
    return ref ? resolve(ref) : value;
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, resolve));
  if (typeof value === "object" && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, resolve)]));
  return value;
}

/** A copy of `value` with every reference-like string (well-formed or not) replaced by `placeholder`: each is reported on its own. */
export function maskReferences(value: unknown, placeholder: string): unknown {
  if (typeof value === "string") return parseReference(value) === undefined ? value : placeholder;
  if (Array.isArray(value)) return value.map((v) => maskReferences(v, placeholder));
  if (typeof value === "object" && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskReferences(v, placeholder)]));
  return value;
}

/** What kind of media each URL field of the models takes (the catalogues' urlFields). */
export const URL_FIELD_KINDS: Readonly<Record<string, OutputKind | "audio">> = {
  images: "image",
  firstFrame: "image",
  lastFrame: "image",
  extendVideo: "video",
  videos: "video",
  audios: "audio",
};

/** Stand-ins used to validate and quote a step before its inputs exist: a valid URL of the right kind. */
export const PLACEHOLDER_URL: Readonly<Record<OutputKind, string>> = {
  image: "https://media.seedrun.example/pipeline-reference.png",
  video: "https://media.seedrun.example/pipeline-reference.mp4",
};
