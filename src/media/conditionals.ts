// Conditional requests (RFC 9110 section 13) evaluated by us against a stored object's ETag and
// upload time. Invalid entity-tags and dates are ignored rather than passed on: whatever a
// browser or a hostile viewer sends, the answer is a correct 200/206/304/412, never a 5xx.

/** One entity-tag as sent: `"abc"` is strong, `W/"abc"` weak; `opaque` keeps the quotes. */
export interface EntityTag {
  weak: boolean;
  opaque: string;
}

/** A field that is `*` or a list of entity-tags; undefined when absent or with no valid member. */
export type TagCondition = "*" | EntityTag[];

export interface Conditions {
  ifMatch?: TagCondition;
  ifNoneMatch?: TagCondition;
  /** Milliseconds since the epoch, whole seconds (HTTP dates have no finer part). */
  ifModifiedSince?: number;
  ifUnmodifiedSince?: number;
  /** An entity-tag or a date; "invalid" when present but neither (then Range is ignored). */
  ifRange?: EntityTag | number | "invalid";
}

export interface Validators {
  /** The object's entity-tag with its quotes, e.g. `"5d41…"` (R2's httpEtag, always strong). */
  etag: string;
  lastModified: Date;
}

export type Verdict = "proceed" | 304 | 412;

// etagc = %x21 / %x23-7E / obs-text (RFC 9110 8.8.3); a comma may sit inside the quotes
const ENTITY_TAG = /^(W\/)?("[\x21\x23-\x7e\x80-\xff]*")$/;

export function parseEntityTag(text: string): EntityTag | undefined {
  const match = ENTITY_TAG.exec(text.trim());
  return match ? { weak: match[1] !== undefined, opaque: match[2]! } : undefined;
}

/**
 * `*` or a comma-separated list of entity-tags. Members that are not entity-tags are dropped;
 * a field without any valid member counts as absent. A quoted tag may itself hold commas, so
 * the list is scanned quote by quote rather than split.
 */
export function parseTagList(field: string | null): TagCondition | undefined {
  if (field === null) return undefined;
  if (field.trim() === "*") return "*";
  const tags: EntityTag[] = [];
  let i = 0;
  while (i < field.length) {
    const ch = field[i]!;
    if (ch === "," || ch === " " || ch === "\t") {
      i++;
      continue;
    }
    const start = i;
    const weak = field.startsWith("W/", i);
    const quote = weak ? i + 2 : i;
    let end: number;
    if (field[quote] === '"') {
      const close = field.indexOf('"', quote + 1);
      end = close === -1 ? field.length : close + 1;
    } else {
      end = field.indexOf(",", i);
      if (end === -1) end = field.length;
    }
    const tag = parseEntityTag(field.slice(start, end));
    // a valid tag must be followed by a separator; otherwise skip the whole malformed member
    const rest = field.slice(end).match(/^[ \t]*(,|$)/);
    if (tag && rest) tags.push(tag);
    else {
      const comma = field.indexOf(",", end);
      end = comma === -1 ? field.length : comma;
    }
    i = end;
  }
  return tags.length > 0 ? tags : undefined;
}

const DAYS = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)";
const LONG_DAYS = "(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)";
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const MONTH = `(${MONTHS.join("|")})`;
const TIME = "(\\d{2}):(\\d{2}):(\\d{2})";
// the three forms a recipient must accept (RFC 9110 5.6.7), exactly, case-sensitively
const IMF_FIXDATE = new RegExp(`^${DAYS}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
const RFC850 = new RegExp(`^${LONG_DAYS}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
const ASCTIME = new RegExp(`^${DAYS} ${MONTH} ( \\d|\\d{2}) ${TIME} (\\d{4})$`);

/** An HTTP-date in ms since the epoch, or undefined when it is not one (e.g. "not a date", Feb 30). */
export function parseHttpDate(field: string | null, now = Date.now()): number | undefined {
  if (field === null) return undefined;
  const text = field.trim();
  let parts: [day: string, month: string, year: number, h: string, m: string, s: string] | undefined;
  // each form is tried only when the ones before it did not match
  const fixdate = IMF_FIXDATE.exec(text);
  const rfc850 = fixdate ? null : RFC850.exec(text);
  const asctime = fixdate || rfc850 ? null : ASCTIME.exec(text);
  if (fixdate) parts = [fixdate[1]!, fixdate[2]!, Number(fixdate[3]), fixdate[4]!, fixdate[5]!, fixdate[6]!];
  else if (rfc850) {
    // a two-digit year more than 50 years ahead is in the past century (RFC 9110 5.6.7)
    const thisYear = new Date(now).getUTCFullYear();
    let year = Math.floor(thisYear / 100) * 100 + Number(rfc850[3]);
    if (year > thisYear + 50) year -= 100;
    parts = [rfc850[1]!, rfc850[2]!, year, rfc850[4]!, rfc850[5]!, rfc850[6]!];
  } else if (asctime)
    parts = [asctime[2]!.trim(), asctime[1]!, Number(asctime[6]), asctime[3]!, asctime[4]!, asctime[5]!];
  if (!parts) return undefined;
  const [day, month, year, h, m, s] = parts;
  const monthIndex = MONTHS.indexOf(month);
  const ms = Date.UTC(year, monthIndex, Number(day), Number(h), Number(m), Number(s));
  const back = new Date(ms);
  // Date.UTC rolls Feb 30 into March and 25:00 into the next day: such dates are not dates
  const same =
    back.getUTCFullYear() === year &&
    back.getUTCMonth() === monthIndex &&
    back.getUTCDate() === Number(day) &&
    back.getUTCHours() === Number(h) &&
    back.getUTCMinutes() === Number(m) &&
    back.getUTCSeconds() === Number(s);
  return same ? ms : undefined;
}

export function parseConditions(headers: Headers, now = Date.now()): Conditions {
  const ifRangeField = headers.get("If-Range");
  let ifRange: Conditions["ifRange"];
  if (ifRangeField !== null) ifRange = parseEntityTag(ifRangeField) ?? parseHttpDate(ifRangeField, now) ?? "invalid";
  const conditions: Conditions = {
    ifMatch: parseTagList(headers.get("If-Match")),
    ifNoneMatch: parseTagList(headers.get("If-None-Match")),
    ifModifiedSince: parseHttpDate(headers.get("If-Modified-Since"), now),
    ifUnmodifiedSince: parseHttpDate(headers.get("If-Unmodified-Since"), now),
    ifRange,
  };
  return conditions;
}

const opaqueOf = (etag: string) => etag.replace(/^W\//, "");
const seconds = (date: Date) => Math.floor(date.getTime() / 1000) * 1000;

function matchesStrong(condition: TagCondition, etag: string): boolean {
  if (condition === "*") return true;
  return !etag.startsWith("W/") && condition.some((t) => !t.weak && t.opaque === etag);
}

function matchesWeak(condition: TagCondition, etag: string): boolean {
  if (condition === "*") return true;
  return condition.some((t) => t.opaque === opaqueOf(etag));
}

/** The precondition steps of RFC 9110 13.2.2 for GET/HEAD on an existing object, in order. */
export function evaluatePreconditions(c: Conditions, v: Validators): Verdict {
  const modified = seconds(v.lastModified);
  if (c.ifMatch !== undefined) {
    if (!matchesStrong(c.ifMatch, v.etag)) return 412;
  } else if (c.ifUnmodifiedSince !== undefined && modified > c.ifUnmodifiedSince) return 412;
  if (c.ifNoneMatch !== undefined) {
    if (matchesWeak(c.ifNoneMatch, v.etag)) return 304;
  } else if (c.ifModifiedSince !== undefined && modified <= c.ifModifiedSince) return 304;
  return "proceed";
}

/** Step 5: Range is honoured only if If-Range (when sent) still names this representation. */
export function rangeStillApplies(c: Conditions, v: Validators): boolean {
  if (c.ifRange === undefined) return true;
  if (c.ifRange === "invalid") return false;
  // a date validates only if it is exactly the Last-Modified we would send; a weak tag never does
  if (typeof c.ifRange === "number") return c.ifRange === seconds(v.lastModified);
  return !c.ifRange.weak && c.ifRange.opaque === v.etag;
}
