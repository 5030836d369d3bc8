// Charts with Chart.js (a maintained canvas chart library, vendored from npm into
// /dashboard/vendor/ by scripts/docs-assets.ts: no CDN, allowed by the page's script-src 'self').
// It is loaded on first use, so only the views that draw charts pay for it. Every chart is a
// figure: a title with its unit, the canvas (an image named by that title) and the same figures as
// a table, which is what screen readers and keyboard users read.
import { h } from "./dom.js";

let loading;
/** Chart.js's global, loaded once. */
export function loadChart() {
  loading ??= new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = "/dashboard/vendor/chart.umd.min.js";
    script.onload = () => resolve(window.Chart);
    script.onerror = () => {
      loading = undefined;
      reject(new Error("The chart library could not be loaded."));
    };
    document.head.append(script);
  });
  return loading;
}

/** The page's colours (light or dark), so the charts follow the system setting like the rest. */
export function colours() {
  const css = getComputedStyle(document.documentElement);
  const v = (name) => css.getPropertyValue(name).trim();
  return {
    fg: v("--fg"),
    muted: v("--muted"),
    line: v("--line"),
    accent: v("--accent"),
    ok: v("--ok"),
    bad: v("--bad"),
    warn: v("--warn"),
    run: v("--run"),
  };
}

/**
 * A titled chart with its table. `columns` head the table; `rows` are arrays of cell texts.
 * Returns the figure and `draw(Chart, config)`, which draws (or redraws) the canvas.
 */
export function chartFigure({ id, title, unit, columns, rows, empty }) {
  const canvas = h("canvas", {
    role: "img",
    "aria-label": `${title}, in ${unit}. The figures are in the table that follows.`,
  });
  const wrap = h("div", { class: "canvas-wrap" }, canvas);
  const table = h(
    "table",
    { class: "compact" },
    h("caption", { text: `${title} (${unit})` }),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        columns.map((c) => h("th", { scope: "col", text: c })),
      ),
    ),
    h(
      "tbody",
      {},
      rows.map((r) =>
        h(
          "tr",
          {},
          r.map((cell, i) => h(i === 0 ? "th" : "td", i === 0 ? { scope: "row", text: cell } : { text: cell })),
        ),
      ),
    ),
  );
  const nothing = rows.length === 0;
  const figure = h(
    "figure",
    { class: "chart-card", "data-chart": id },
    h("figcaption", {}, h("h2", { text: title }), h("span", { class: "muted unit", text: unit })),
    nothing
      ? h("p", { class: "muted", text: empty })
      : [wrap, h("details", {}, h("summary", { text: "Figures" }), h("div", { class: "table-wrap" }, table))],
  );
  let chart;
  return {
    figure,
    draw(Chart, config) {
      if (nothing) return;
      chart?.destroy();
      const c = colours();
      Chart.defaults.color = c.muted;
      Chart.defaults.borderColor = c.line;
      chart = new Chart(canvas, {
        ...config,
        options: {
          ...config.options,
          // drawn at once: nothing moves for people who asked for less motion, and the first paint is the final one
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          plugins: { legend: { labels: { color: c.fg } }, ...config.options?.plugins },
        },
      });
    },
  };
}
