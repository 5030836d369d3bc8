// Parses a Range header into the single byte range R2 understands (RFC 9110 section 14).
const SINGLE_RANGE = /^bytes=(\d*)-(\d*)$/i;

/**
 * Returns the R2 range for a single `bytes=` range, or null to serve the whole object: a missing
 * or malformed header, another unit, or several ranges may all be ignored per RFC 9110.
 */
export function parseRange(header: string | null): R2Range | null {
  const match = SINGLE_RANGE.exec(header?.replace(/\s+/g, "") ?? "");
  if (match === null) return null;
  const first = toNumber(match[1] ?? "");
  const last = toNumber(match[2] ?? "");
  if (first === null && last !== null) return { suffix: last };
  if (first === null) return null;
  if (last === null) return { offset: first };
  if (last < first) return null;
  return { offset: first, length: last - first + 1 };
}

/** The first byte and count actually served, given the object's size. */
export function servedRange(range: R2Range, size: number): { offset: number; length: number } {
  // R2 reports ranges with every field present, unused ones undefined, so test values not keys.
  const { offset, length, suffix } = range as { offset?: number; length?: number; suffix?: number };
  if (offset === undefined && suffix !== undefined) {
    const count = Math.min(suffix, size);
    return { offset: size - count, length: count };
  }
  const first = offset ?? 0;
  return { offset: first, length: Math.min(length ?? size - first, size - first) };
}

function toNumber(digits: string): number | null {
  if (digits === "") return null;
  const value = Number(digits);
  return Number.isSafeInteger(value) ? value : null;
}
