// How times, sizes and amounts read on the page: the viewer's own locale and time zone.
const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });
// dateStyle/timeStyle cannot be combined with timeZoneName: the zoned format names its fields
const ZONED = {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  timeZoneName: "short",
};
const dateTimeZone = new Intl.DateTimeFormat(undefined, ZONED);
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

export const viewerZone = zone;

export function when(iso) {
  return iso ? dateTime.format(new Date(iso)) : "—";
}

/** A time in the viewer's zone, with the zone named (schedules run in another one). */
export function whenZoned(iso, timeZone) {
  if (!iso) return "—";
  const f = timeZone ? new Intl.DateTimeFormat(undefined, { ...ZONED, timeZone }) : dateTimeZone;
  return f.format(new Date(iso));
}

export function ago(iso, now = Date.now()) {
  if (!iso) return "—";
  const s = Math.round((Date.parse(iso) - now) / 1000);
  const abs = Math.abs(s);
  if (abs < 60) return relative.format(s, "second");
  if (abs < 3600) return relative.format(Math.round(s / 60), "minute");
  if (abs < 86400) return relative.format(Math.round(s / 3600), "hour");
  return relative.format(Math.round(s / 86400), "day");
}

export function duration(ms) {
  if (!Number.isFinite(ms)) return "—";
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}

export function bytes(n) {
  if (n === null || n === undefined) return "—";
  const units = ["B", "KB", "MB", "GB"];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

const UNIT_NAMES = { weshop_power: "power", usd: "USD" };
export function amount(a) {
  if (!a) return "—";
  if (a.unit === "usd")
    return new Intl.NumberFormat(undefined, { style: "currency", currency: "USD", maximumFractionDigits: 4 }).format(
      a.amount,
    );
  return `${new Intl.NumberFormat().format(a.amount)} ${UNIT_NAMES[a.unit] ?? a.unit}`;
}

export function ordinal(n) {
  const rules = new Intl.PluralRules("en", { type: "ordinal" });
  const suffix = { one: "st", two: "nd", few: "rd", other: "th" }[rules.select(n)];
  return `${n}${suffix}`;
}
