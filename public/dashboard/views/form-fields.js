// The new-job form's pieces that stand alone: a field's label in words, and the image upload
// button beside an image field (POST /v1/uploads, the returned URL put into the field).
import { ApiProblem, api } from "../api.js";
import { h } from "../dom.js";

export function uploader(input, many, signal) {
  // the file input stays hidden; a real button opens it, so the control is reachable and named
  const file = h("input", {
    type: "file",
    accept: "image/png,image/jpeg,image/webp",
    hidden: true,
    id: `${input.id}-file`,
    "aria-label": `Image file for ${input.name}`,
  });
  const status = h("span", { class: "muted", role: "status" });
  file.addEventListener("change", async () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    status.textContent = `Uploading ${chosen.name}…`;
    const body = new FormData();
    body.append("image", chosen);
    try {
      const { url } = await api("/v1/uploads", { body, signal });
      input.value = many && input.value.trim() ? `${input.value.trim()}\n${url}` : url;
      status.textContent = `Uploaded ${chosen.name}`;
    } catch (err) {
      status.textContent =
        err instanceof ApiProblem
          ? `${err.problem.title ?? "Upload failed"}: ${err.message}`
          : `Upload failed: ${err.message}`;
    }
    file.value = "";
  });
  // the visible text starts the accessible name; the field it fills is added for screen readers
  const open = h(
    "button",
    { type: "button", class: "quiet", onclick: () => file.click() },
    "Upload image…",
    h("span", { class: "sr-only", text: ` for ${words(input.name)}` }),
  );
  return h("span", { class: "upload" }, open, file, status);
}

const WORDS = {
  textDescription: "Description",
  batchCount: "Number of images",
  modelName: "Variant",
  images: "Input images",
  prompt: "Prompt",
};
/** A field's label in words: `aspectRatio` reads "Aspect ratio". */
export function words(name) {
  if (WORDS[name]) return WORDS[name];
  const spaced = name.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}
