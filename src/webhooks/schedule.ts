// How long an outgoing webhook may take to be delivered, in a module of its own so both the
// delivery object and the code that builds a message's body (whose media links must outlive the
// retries) can use it without importing each other.

/** Delay before attempt n+1 (Standard Webhooks' schedule): 5 s … 10 h, about 28 h in all. */
export const RETRY_SCHEDULE_MS = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3600_000,
  5 * 3600_000,
  10 * 3600_000,
  10 * 3600_000,
];

/** Each delay is stretched or shortened by up to this fraction, so failing receivers are not all retried at once. */
export const RETRY_JITTER = 0.1;

/** The longest time from the event to the last attempt: every delay at its full jitter. */
export const RETRY_SPAN_MS = Math.ceil(RETRY_SCHEDULE_MS.reduce((a, b) => a + b, 0) * (1 + RETRY_JITTER));

/**
 * How long the media links in a webhook body stay valid: the whole retry span plus a day, so even
 * the last attempt hands the receiver links it can still fetch for a day (also covering attempt
 * timeouts and late alarms).
 */
export const WEBHOOK_LINK_TTL_SECONDS = Math.ceil((RETRY_SPAN_MS + 24 * 3600_000) / 1000);
