// Budget and usage, on deployments that have them (GET /v1/budget, GET /v1/usage): each limit's
// use as a meter, and spend per day as a bar chart with the same figures as a table.
import { optional } from "../api.js";
import { fill, h, svg } from "../dom.js";
import { amount, whenZoned } from "../format.js";
import { lifecycleSections } from "./lifecycle.js";

const DAYS = 30;
const UNIT_LABELS = { weshop_power: "WeShop power", usd: "US dollars" };
export const unitLabel = (unit) => UNIT_LABELS[unit] ?? unit;

export async function usageView(main, { signal, features }) {
  const budgetHost = h("section", { "aria-label": "Budget" });
  const usageHost = h("section", { "aria-label": "Spend per day" });
  fill(main, h("h1", { tabindex: "-1", text: "Usage" }), budgetHost, usageHost);
  const from = new Date(Date.now() - (DAYS - 1) * 86_400_000).toISOString().slice(0, 10);
  const [budget, usage] = await Promise.all([
    features.budget ? optional("/v1/budget") : null,
    features.usage ? optional(`/v1/usage?groupBy=day&from=${from}`) : null,
  ]);
  if (signal.aborted) return;
  if (budget)
    fill(
      budgetHost,
      h("h2", { text: "Budget" }),
      budget.limits.length
        ? budget.limits.map(limitRow)
        : h("p", { class: "muted", text: "No limits set (PUT /v1/budget)." }),
    );
  if (usage) fill(usageHost, h("h2", { text: `Spend per day, last ${DAYS} days` }), usageChart(usage.data));
  main.append(...(await lifecycleSections(signal)).filter(Boolean));
}

function limitRow(l) {
  return h(
    "div",
    { class: "limit" },
    h(
      "p",
      {},
      h("strong", { text: `${l.period === "day" ? "Daily" : "Monthly"} ${l.unit}${l.tag ? ` · tag ${l.tag}` : ""}` }),
      ` · ${amount({ unit: l.unit, amount: l.used })} used, ${amount({ unit: l.unit, amount: l.reserved })} reserved of ${amount({ unit: l.unit, amount: l.amount })}`,
    ),
    h("meter", {
      min: "0",
      max: String(l.amount),
      value: String(l.used + l.reserved),
      high: String(l.amount * 0.8),
      "aria-label": `${l.period} ${l.unit} budget used`,
    }),
    h("p", {
      class: "muted",
      text: `${amount({ unit: l.unit, amount: l.remaining })} remaining · resets ${whenZoned(l.resetsAt)}`,
    }),
  );
}

function usageChart(rows) {
  if (rows.length === 0) return h("p", { class: "muted", text: "No spend in this period." });
  const units = [...new Set(rows.map((r) => r.unit))];
  return units.map((unit) => {
    // every day of the period, a day without spend as 0, so the bars line up with the calendar
    const byDay = new Map(rows.filter((r) => r.unit === unit).map((r) => [r.key, r]));
    const data = Array.from({ length: DAYS }, (_, i) => {
      const key = new Date(Date.now() - (DAYS - 1 - i) * 86_400_000).toISOString().slice(0, 10);
      return byDay.get(key) ?? { key, unit, amount: 0, jobs: 0 };
    });
    const max = Math.max(...data.map((r) => r.amount), 1e-9);
    const w = 24;
    const label = unitLabel(unit);
    // the bars' class is their own: `.bar` is the progress bar's, whose CSS height would override every rect's
    const chart = svg(
      "svg",
      {
        viewBox: `0 0 ${data.length * w} 120`,
        class: "chart",
        role: "img",
        "aria-label": `Spend per day in ${label}, last ${DAYS} days; highest ${amount({ unit, amount: max })}. The figures are in the table below.`,
        "data-max": max,
      },
      svg("line", { x1: 0, x2: data.length * w, y1: 110, y2: 110, class: "axis" }),
      // a day without spend has no bar at all, not a sliver
      data
        .map((r, i) => [r, i])
        .filter(([r]) => r.amount > 0)
        .map(([r, i]) => {
          const barH = (r.amount / max) * 100;
          return svg(
            "rect",
            {
              x: i * w + 3,
              y: 110 - barH,
              width: w - 6,
              height: barH,
              class: "spend-bar",
              "data-day": r.key,
              "data-amount": r.amount,
            },
            svg("title", {}, `${r.key}: ${amount({ unit, amount: r.amount })}, ${r.jobs} jobs`),
          );
        }),
    );
    const table = h(
      "table",
      { class: "compact" },
      h("caption", { text: `Spend per day in ${label}` }),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["Day", `Amount (${label})`, "Jobs"].map((t) => h("th", { scope: "col", text: t })),
        ),
      ),
      h(
        "tbody",
        {},
        data.map((r) =>
          h(
            "tr",
            {},
            h("td", { text: r.key }),
            h("td", { text: amount({ unit, amount: r.amount }) }),
            h("td", { text: String(r.jobs) }),
          ),
        ),
      ),
    );
    return h(
      "figure",
      { class: "usage-chart", "data-unit": unit },
      h(
        "figcaption",
        {},
        h("strong", { text: `Spend per day (${label})` }),
        h("span", { class: "muted", text: ` · tallest bar ${amount({ unit, amount: max })}` }),
      ),
      chart,
      h(
        "div",
        { class: "axis-labels muted", "aria-hidden": "true" },
        h("span", { text: data[0].key }),
        h("span", { text: data.at(-1).key }),
      ),
      h("details", {}, h("summary", { text: "Figures" }), h("div", { class: "table-wrap" }, table)),
    );
  });
}
