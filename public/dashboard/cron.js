// A 5-field cron expression in words ("every day at 03:00"), for the common shapes; anything
// else is spelled out field by field. The expression itself is always shown next to it.
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const DAY_NAMES = { SUN: 0, MON: 1, TUE: 2, WED: 3, THU: 4, FRI: 5, SAT: 6 };
const MONTH_NAMES = {
  JAN: 1,
  FEB: 2,
  MAR: 3,
  APR: 4,
  MAY: 5,
  JUN: 6,
  JUL: 7,
  AUG: 8,
  SEP: 9,
  OCT: 10,
  NOV: 11,
  DEC: 12,
};

const num = (s) => /^\d+$/.test(s);
const pad = (n) => String(n).padStart(2, "0");

function names(field, table, words, offset) {
  return field
    .toUpperCase()
    .split(",")
    .map((part) =>
      part
        .split("-")
        .map((p) => {
          const n = table[p] ?? (num(p) ? Number(p) : Number.NaN);
          return Number.isNaN(n) ? p : words[(n - offset + words.length) % words.length];
        })
        .join(" to "),
    )
    .join(", ");
}

function listText(field, unit) {
  if (field === "*") return `every ${unit}`;
  const step = /^\*\/(\d+)$/.exec(field);
  if (step) return `every ${step[1]} ${unit}s`;
  return `${unit} ${field.replaceAll(",", ", ").replaceAll("-", " to ")}`;
}

export function cronInWords(expression) {
  const f = expression.trim().split(/\s+/);
  if (f.length !== 5) return expression;
  const [min, hour, dom, month, dow] = f;
  const days =
    dom === "*" && dow === "*"
      ? "every day"
      : dom === "*"
        ? dow.toUpperCase() === "MON-FRI" || dow === "1-5"
          ? "on weekdays"
          : `on ${names(dow, DAY_NAMES, DAYS, 0)}`
        : dow === "*"
          ? `on day ${dom.replaceAll(",", ", ")} of the month`
          : `on day ${dom} of the month or on ${names(dow, DAY_NAMES, DAYS, 0)}`;
  const months = month === "*" ? "" : ` in ${names(month, MONTH_NAMES, MONTHS, 1)}`;
  if (min === "*" && hour === "*") return `every minute${dom === "*" && dow === "*" ? "" : `, ${days}`}${months}`;
  const minStep = /^\*\/(\d+)$/.exec(min);
  if (minStep && hour === "*")
    return `every ${minStep[1]} minutes${dom === "*" && dow === "*" ? "" : `, ${days}`}${months}`;
  if (num(min) && hour === "*")
    return `every hour at minute ${Number(min)}${dom === "*" && dow === "*" ? "" : `, ${days}`}${months}`;
  if (num(min) && hour.split(",").every(num)) {
    const times = hour
      .split(",")
      .map((hh) => `${pad(hh)}:${pad(min)}`)
      .join(", ");
    return `${days} at ${times}${months}`;
  }
  return `${listText(min, "minute")}, ${listText(hour, "hour")}, ${days}${months}`;
}
