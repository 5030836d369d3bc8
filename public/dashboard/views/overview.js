// The overview: each provider's line now (refreshed while the view is open), and this key's last
// 24 hours from GET /v1/stats (jobs per hour, failures by code, run time per model), plus spend
// per day from GET /v1/usage where the deployment has it. Charts by Chart.js (charts.js).
import { api, optional } from "../api.js";
import { chartFigure, colours, loadChart } from "../charts.js";
import { fill, h } from "../dom.js";
import { amount, duration } from "../format.js";
import { unitLabel } from "./usage.js";

const REFRESH_MS = 5000;
const SPEND_DAYS = 14;

export async function overviewView(main, { signal, features }) {
  const queues = h("section", { class: "queues", "aria-labelledby": "queues-title" });
  const charts = h("div", { class: "chart-grid" });
  fill(main, h("h1", { tabindex: "-1", text: "Overview" }), queues, charts);
  const from = new Date(Date.now() - (SPEND_DAYS - 1) * 86_400_000).toISOString().slice(0, 10);
  const [stats, usage, Chart] = await Promise.all([
    api("/v1/stats", { signal }),
    features.usage ? optional(`/v1/usage?groupBy=day&from=${from}`) : null,
    loadChart(),
  ]);
  if (signal.aborted) return;
  fill(queues, queueTable(stats.providers));
  const figures = [perHour(stats), failures(stats), runTimes(stats), ...spend(usage?.data ?? [])];
  fill(
    charts,
    figures.map((f) => f.figure),
  );
  for (const f of figures) f.draw(Chart, f.config);
  // marks this route's container (a fresh one per visit), so a marker never outlives its view
  main.dataset.drawn = "true";

  // the lines move by the second: refresh them (and the day's figures) while the view is open
  const timer = setInterval(async () => {
    const fresh = await api("/v1/stats", { signal }).catch(() => null);
    if (fresh && !signal.aborted) fill(queues, queueTable(fresh.providers));
  }, REFRESH_MS);
  signal.addEventListener("abort", () => clearInterval(timer));
}

function queueTable(providers) {
  return [
    h("h2", { id: "queues-title", text: "Provider queues, live" }),
    h(
      "table",
      { class: "compact queue-table" },
      h("caption", { class: "sr-only", text: "Tasks running and jobs waiting at each provider (all keys)" }),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["Provider", "Running (of cap)", "Waiting (jobs)", "Oldest waiting"].map((t) =>
            h("th", { scope: "col", text: t }),
          ),
        ),
      ),
      h(
        "tbody",
        {},
        providers.map((p) =>
          h(
            "tr",
            { "data-provider": p.name },
            h("th", { scope: "row", text: p.name === "weshop" ? "WeShop" : "Wiro" }),
            h(
              "td",
              {},
              h("meter", {
                min: "0",
                max: String(p.cap),
                value: String(p.running),
                "aria-label": `${p.name} slots in use`,
              }),
              ` ${p.running} of ${p.cap}`,
            ),
            h("td", { text: String(p.waiting) }),
            h("td", {
              text: p.oldestWaitingSeconds === null ? "nobody waits" : duration(p.oldestWaitingSeconds * 1000),
            }),
          ),
        ),
      ),
    ),
  ];
}

const hourLabel = (iso) => new Date(iso).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });

function perHour(stats) {
  const hours = stats.jobs.perHour;
  const any = hours.some((x) => x.succeeded + x.failed + x.canceled > 0);
  const f = chartFigure({
    id: "jobs-per-hour",
    title: "Jobs finished per hour, last 24 hours",
    unit: "jobs",
    columns: ["Hour starting", "Succeeded", "Failed", "Canceled"],
    rows: any ? hours.map((x) => [hourLabel(x.start), String(x.succeeded), String(x.failed), String(x.canceled)]) : [],
    empty: "No job finished in the last 24 hours.",
  });
  const c = colours();
  const set = (label, key, colour) => ({ label, data: hours.map((x) => x[key]), backgroundColor: colour });
  f.config = {
    type: "bar",
    data: {
      labels: hours.map((x) => hourLabel(x.start)),
      datasets: [
        set("Succeeded", "succeeded", c.ok),
        set("Failed", "failed", c.bad),
        set("Canceled", "canceled", c.muted),
      ],
    },
    options: {
      scales: {
        x: { stacked: true },
        y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "jobs" } },
      },
    },
  };
  return f;
}

function failures(stats) {
  const codes = Object.entries(stats.jobs.byErrorCode).sort((a, b) => b[1] - a[1]);
  const f = chartFigure({
    id: "failures-by-code",
    title: "Failures by error code, last 24 hours",
    unit: "jobs",
    columns: ["Error code", "Jobs"],
    rows: codes.map(([code, n]) => [code, String(n)]),
    empty: "No failed or canceled job in the last 24 hours.",
  });
  f.config = {
    type: "bar",
    data: {
      labels: codes.map(([code]) => code),
      datasets: [{ label: "Jobs", data: codes.map(([, n]) => n), backgroundColor: colours().bad, maxBarThickness: 28 }],
    },
    options: {
      indexAxis: "y",
      plugins: { legend: { display: false } },
      scales: { x: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "jobs" } } },
    },
  };
  return f;
}

function runTimes(stats) {
  const models = Object.entries(stats.jobs.runMs).sort(([a], [b]) => a.localeCompare(b));
  const s = (ms) => Math.round(ms / 100) / 10;
  const f = chartFigure({
    id: "run-time",
    title: "Run time per model, last 24 hours",
    unit: "seconds",
    columns: ["Model", "Median (s)", "95th percentile (s)"],
    rows: models.map(([model, p]) => [model, String(s(p.p50)), String(s(p.p95))]),
    empty: "No job succeeded in the last 24 hours.",
  });
  const c = colours();
  f.config = {
    type: "bar",
    data: {
      labels: models.map(([model]) => model.replace(/^wiro\/ByteDance\//, "wiro/")),
      datasets: [
        { label: "Median", data: models.map(([, p]) => s(p.p50)), backgroundColor: c.accent, maxBarThickness: 48 },
        {
          label: "95th percentile",
          data: models.map(([, p]) => s(p.p95)),
          backgroundColor: c.warn,
          maxBarThickness: 48,
        },
      ],
    },
    options: { scales: { y: { beginAtZero: true, title: { display: true, text: "seconds" } } } },
  };
  return f;
}

function spend(rows) {
  const units = [...new Set(rows.map((r) => r.unit))].sort();
  return units.map((unit) => {
    const byDay = new Map(rows.filter((r) => r.unit === unit).map((r) => [r.key, r]));
    const days = Array.from({ length: SPEND_DAYS }, (_, i) =>
      new Date(Date.now() - (SPEND_DAYS - 1 - i) * 86_400_000).toISOString().slice(0, 10),
    );
    const f = chartFigure({
      id: `spend-${unit}`,
      title: `Spend per day, last ${SPEND_DAYS} days`,
      unit: unitLabel(unit),
      columns: ["Day", `Amount (${unitLabel(unit)})`, "Jobs"],
      rows: days.map((d) => [d, amount({ unit, amount: byDay.get(d)?.amount ?? 0 }), String(byDay.get(d)?.jobs ?? 0)]),
      empty: "",
    });
    f.config = {
      type: "bar",
      // a day without spend is null: no bar at all
      data: {
        labels: days,
        datasets: [
          {
            label: unitLabel(unit),
            data: days.map((d) => byDay.get(d)?.amount ?? null),
            backgroundColor: colours().accent,
          },
        ],
      },
      options: {
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, title: { display: true, text: unitLabel(unit) } } },
      },
    };
    return f;
  });
}
