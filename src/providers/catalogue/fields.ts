// The value forms the catalogues are written in: one zod schema per kind of field, each with the
// message a client sees. A form says what a value looks like; which values a variant takes is data
// in the catalogue files.
import { z } from "zod";

export const url = z
  .string({ error: "must be a URL" })
  .min(1, "must be a URL")
  .max(2048, "must be at most 2048 characters");

// "is required" only when it is missing: a prompt of the wrong type is told so
export const prompt = z
  .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") })
  .trim()
  .min(1, "is required")
  .max(5000, "must be at most 5000 characters");

export const batchCount = z
  .number({ error: "must be an integer from 1 to 16" })
  .int("must be an integer from 1 to 16")
  .min(1, "must be an integer from 1 to 16")
  .max(16, "must be an integer from 1 to 16");

export function oneOf<T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `must be one of: ${values.join(", ")}` });
}

/** `true`/`false` as JSON booleans or the documented strings, sent as strings (WeShop's and Wiro's selects). */
export const boolString = z
  .union([z.boolean(), z.enum(["true", "false"])], { error: 'must be "true" or "false"' })
  .transform((v) => String(v) as "true" | "false");

/** A switch the official client sends as a JSON boolean, and only when it is on. */
export const flag = z
  .union([z.boolean(), z.enum(["true", "false"])], { error: "must be true or false" })
  .transform((v) => v === true || v === "true");

/** WeShop's content-safety switch: "on"/"off", or true/false. */
export const onOff = z
  .union([z.boolean(), z.enum(["on", "off"])], { error: 'must be "on" or "off"' })
  .transform((v) => (v === true ? "on" : v === false ? "off" : v));

export function urlList(noun: string) {
  return z.array(url, { error: `must be an array of ${noun} URLs` });
}

/** Wiro documents these as strings; numbers are accepted for convenience. */
export function numericChoice<T extends readonly [string, ...string[]]>(values: T) {
  return z
    .union([z.string(), z.number()])
    .transform((v) => String(v))
    .pipe(oneOf(values));
}

/** Whole seconds as WeShop writes them: "4s", "12s"; no leading zero, no fractions. */
export const SECONDS = /^([1-9]\d?)s$/;

export function seconds(auto?: string) {
  // the auto value is "-1" for every agent that has one: no escaping needed in the pattern
  const form = auto ? new RegExp(`^(?:${auto}|[1-9]\\d?s)$`) : SECONDS;
  const like = auto ? `"${auto}" (auto) or a whole number of seconds like "4s"` : 'a whole number of seconds like "4s"';
  return z.string({ error: `must be a string like "4s"` }).regex(form, `must be ${like}, without a leading zero`);
}
