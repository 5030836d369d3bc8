// The gallery: stored outputs of this key's jobs, newest first (images, and videos by their
// poster frame), filtered by model, status and tag (kept in the address like the jobs list's).
import { api } from "../api.js";
import { fill, h } from "../dom.js";
import { ago, when } from "../format.js";
import { promptOf } from "./jobs.js";

const STATUSES = ["succeeded", "failed", "canceled"];

export async function galleryView(main, { query, signal, modelList }) {
  const models = await modelList();
  const filter = {
    model: query.get("model") ?? "",
    status: query.get("status") ?? "succeeded",
    tag: query.get("tag") ?? "",
  };
  const grid = h("ul", { class: "gallery", "aria-label": "Outputs, newest first" });
  const more = h("button", { type: "button", class: "quiet", hidden: true, text: "Load more" });
  const empty = h("p", { class: "muted", hidden: true, text: "No outputs match." });
  fill(main, h("h1", { tabindex: "-1", text: "Gallery" }), filters(filter, models), empty, grid, more);
  let cursor = null;
  let shown = 0;
  async function load(next) {
    const params = new URLSearchParams({ limit: "24" });
    for (const [k, v] of Object.entries(filter)) if (v && v !== "any") params.set(k, v);
    if (next) params.set("cursor", next);
    const page = await api(`/v1/jobs?${params}`, { signal });
    for (const job of page.data)
      for (const tile of tiles(job)) {
        grid.append(tile);
        shown++;
      }
    cursor = page.nextCursor;
    more.hidden = !cursor;
    empty.hidden = shown > 0;
  }
  more.addEventListener("click", () => load(cursor));
  await load(null);
}

/** One tile per stored result: the image itself, or a video's poster (its first frame when it has none). */
function tiles(job) {
  const prompt = promptOf(job);
  return job.outputs
    .filter((o) => o.status === "stored" && o.url)
    .map((o, i) => {
      const alt = `${prompt || job.model}${job.outputs.length > 1 ? ` (output ${i + 1})` : ""}`;
      let picture;
      if (o.kind === "image") picture = h("img", { src: o.url, alt, loading: "lazy", decoding: "async" });
      else if (o.poster?.url)
        picture = h("img", {
          src: o.poster.url,
          alt: `Poster frame of the video: ${alt}`,
          loading: "lazy",
          decoding: "async",
        });
      else
        picture = h("video", {
          src: `${o.url}#t=0.1`,
          preload: "metadata",
          muted: true,
          playsInline: true,
          "aria-label": `Video: ${alt}`,
        });
      return h(
        "li",
        { "data-job": job.id, "data-kind": o.kind },
        h(
          "figure",
          {},
          h("a", { href: `#/jobs/${job.id}`, tabindex: "-1", "aria-hidden": "true" }, picture),
          h(
            "figcaption",
            {},
            h("a", { href: `#/jobs/${job.id}`, text: prompt || job.id }),
            h(
              "span",
              { class: "muted" },
              `${job.model} · `,
              h("time", { datetime: job.createdAt, title: when(job.createdAt), text: ago(job.createdAt) }),
              o.kind === "video" ? " · video" : "",
            ),
          ),
        ),
      );
    });
}

function filters(filter, models) {
  const apply = (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const [k, v] of new FormData(event.currentTarget)) if (v) params.set(k, String(v));
    location.hash = `#/gallery${params.size ? `?${params}` : ""}`;
  };
  const select = (name, label, values, current, any = "") =>
    h(
      "label",
      {},
      label,
      h(
        "select",
        { name, onchange: (e) => e.target.form.requestSubmit() },
        h("option", { value: any, text: "any" }),
        values.map((v) => h("option", { value: v, text: v, selected: v === current })),
      ),
    );
  return h(
    "form",
    { class: "filters", role: "search", "aria-label": "Filter outputs", onsubmit: apply },
    select(
      "model",
      "Model",
      models.map((m) => m.id),
      filter.model,
    ),
    // finished jobs only by default; "any" is kept in the address so it is not read as the default
    select("status", "Status", STATUSES, filter.status, "any"),
    h("label", {}, "Tag", h("input", { name: "tag", value: filter.tag, spellcheck: "false", size: "16" })),
    h("button", { type: "submit", text: "Filter" }),
  );
}
