// 5-field cron expressions in IANA time zones (croner), shared by the schedule validator and the tick.
import { Cron } from "croner";

/** A parser for a 5-field expression in a time zone; throws with a readable message when invalid. */
export function cronFor(expression: string, timezone: string): Cron {
  if (expression.trim().split(/\s+/).length !== 5)
    throw new Error("must have 5 fields: minute hour day-of-month month day-of-week");
  // legacyMode: day-of-month and day-of-week combine with OR, as in classic cron
  return new Cron(expression, { timezone, mode: "5-part", legacyMode: true, paused: true });
}

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** The first run strictly after `after` (ms), or null when the expression never fires again. */
export function nextRunAfter(expression: string, timezone: string, after: number): number | null {
  return cronFor(expression, timezone).nextRun(new Date(after))?.getTime() ?? null;
}
