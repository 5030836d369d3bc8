// The Authorization header's forms, for an API_KEYS key and a created `sr_` key alike: 16 forms,
// each either accepted (what RFC 6750 allows: the scheme in any case, spaces or a tab before the
// token, trailing space) or refused with 401, never a 5xx. Then fast-check: `sr_` tokens that are
// near a real key (one character changed, cut, extended, case-swapped) or random are all 401.

import { exports } from "cloudflare:workers";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { BASE, KEY_A } from "../support/harness.ts";
import { makeKey } from "./support.ts";

/** [name, header of key, accepted?] */
const FORMS: [string, (k: string) => string, boolean][] = [
  ["canonical", (k) => `Bearer ${k}`, true],
  ["lower-case scheme", (k) => `bearer ${k}`, true],
  ["upper-case scheme", (k) => `BEARER ${k}`, true],
  ["two spaces", (k) => `Bearer  ${k}`, true],
  ["a tab", (k) => `Bearer\t${k}`, true],
  ["trailing space", (k) => `Bearer ${k} `, true],
  ["no scheme", (k) => k, false],
  ["Basic scheme", (k) => `Basic ${k}`, false],
  ["Token scheme", (k) => `Token ${k}`, false],
  ["no space", (k) => `Bearer${k}`, false],
  ["two tokens", (k) => `Bearer ${k} ${k}`, false],
  ["quoted", (k) => `Bearer "${k}"`, false],
  ["trailing comma", (k) => `Bearer ${k},`, false],
  ["scheme only", () => "Bearer", false],
  ["empty", () => "", false],
  ["key then scheme", (k) => `${k} Bearer`, false],
];

const status = async (authorization: string) => {
  const res = await exports.default.fetch(
    new Request(`${BASE}/v1/jobs`, { headers: { Authorization: authorization } }),
  );
  await res.body?.cancel();
  return res.status;
};

let created: string;
beforeAll(async () => {
  created = (await makeKey(["read"])).key;
});

describe.each([
  ["an API_KEYS key", () => KEY_A],
  ["a created sr_ key", () => created],
])("header forms: %s", (_, key) => {
  it.each(FORMS)("%s", async (_name, form, accepted) => {
    expect(FORMS).toHaveLength(16);
    expect(await status(form(key()))).toBe(accepted ? 200 : 401);
  });
});

describe("sr_ tokens near a real key, or random", () => {
  const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  const char = fc.constantFrom(...BASE62.split(""));
  it("are refused with 401, never 5xx", async () => {
    const near = fc.oneof(
      fc.tuple(fc.nat(39), char).map(
        ([i, ch]) =>
          (k: string) =>
            k.slice(0, 3 + i) + ch + k.slice(4 + i),
      ),
      fc.integer({ min: 3, max: 42 }).map((n) => (k: string) => k.slice(0, n)),
      fc.string({ unit: char, minLength: 1, maxLength: 8 }).map((tail) => (k: string) => k + tail),
      fc.constant((k: string) =>
        k.replace(/[a-zA-Z]/g, (ch) => (ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase())),
      ),
      fc.string({ unit: char, minLength: 0, maxLength: 70 }).map((s) => () => `sr_${s}`),
    );
    await fc.assert(
      fc.asyncProperty(near, async (mutate) => {
        const token = mutate(created);
        if (token === created) return;
        expect(await status(`Bearer ${token}`), token).toBe(401);
      }),
      { numRuns: 150, seed: 25 },
    );
  });
});
