// POST /v1/uploads: one image in a multipart field `image`, checked by its bytes, forwarded to
// WeShop `POST /agent/assets/images`, answered with the reusable URL WeShop gives back; the body is
// read through a counting stream, so no more than its 10 MiB limit is ever held. A body whose
// first part is `file` is streamed into R2 instead (file-uploads.ts). DELETE /v1/uploads/{id}.
import { type FieldError, problem } from "../../lib/problems.ts";
import { validationError } from "../../lib/validation.ts";
import { firstPartName, multipartBoundary } from "../../lib/multipart.ts";
import { sniffImage } from "../../media/sniff.ts";
import { uploadWeshopImage } from "../../providers/weshop-assets.ts";
import { FILE_FIELD, MAX_FILE_BODY_BYTES, MAX_IMAGE_BYTES, MAX_UPLOAD_BODY_BYTES, UPLOAD_FIELD as FIELD } from "../../schemas/upload-spec.ts";
import { routeGroup } from "../openapi/hook.ts";
import { deleteUpload, uploadFile } from "./file-uploads.ts";
import {
  deleteUploadRoute,
  fileTooLarge,
  imageTooLarge as tooLarge,
  notAnImage,
  notMultipart,
  providerError,
  providerUnavailable,
  uploadImage,
} from "./upload-route.ts";

export { MAX_IMAGE_BYTES, MAX_UPLOAD_BODY_BYTES };

/** Parses the multipart body, failing with 413 as soon as more than `limit` bytes have arrived. */
async function readForm(body: ReadableStream<Uint8Array> | null, contentType: string, limit: number): Promise<FormData> {
  if (!body) throw validationError([{ path: FIELD, message: "is required: send one file field named `image`" }]);
  let received = 0;
  let exceeded = false;
  const counted = body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        received += chunk.byteLength;
        if (received > limit) {
          exceeded = true;
          controller.error(new Error("upload body over the limit"));
          return;
        }
        controller.enqueue(chunk);
      },
    }),
  );
  try {
    return await new Response(counted, { headers: { "Content-Type": contentType } }).formData();
  } catch {
    if (exceeded) throw tooLarge();
    throw problem("invalid_multipart");
  }
}

/** The client's file name without directories or control characters; a default when there is none. */
function cleanFilename(name: string, ext: string): string {
  const base = (name.split(/[/\\]/).pop() ?? "")
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
    .replace(/[\u0000-\u001f\u007f"]/g, "")
    .trim()
    .slice(0, 200);
  return base === "" || base === "blob" ? `image.${ext}` : base;
}

export const uploadRoutes = routeGroup()
  .openapi(deleteUploadRoute, async (c) => {
    await deleteUpload(c, c.req.valid("param").id);
    return c.body(null, 204);
  })
  .openapi(uploadImage, async (c) => {
    const contentType = c.req.header("Content-Type") ?? "";
    const boundary = multipartBoundary(contentType);
    if (!boundary) throw notMultipart();

    // the first part's name says which upload this is: only its head is read to know
    const first = c.req.raw.body ? await firstPartName(c.req.raw.body, boundary) : undefined;
    // a declared length over the limit is refused before the rest of the body is read
    const header = c.req.header("Content-Length")?.trim();
    const declared = header !== undefined && /^\d+$/.test(header) ? Number(header) : undefined;
    if (first?.name === FILE_FIELD) {
      if (declared !== undefined && declared > MAX_FILE_BODY_BYTES) {
        await first.body.cancel().catch(() => undefined);
        throw fileTooLarge();
      }
      return c.json(await uploadFile(c, first.body, boundary), 201);
    }
    if (declared !== undefined && declared > MAX_UPLOAD_BODY_BYTES) {
      await first?.body.cancel().catch(() => undefined);
      throw tooLarge();
    }

    const config = c.get("config");
    const apiKey = config.weshop.apiKey;
    if (!apiKey) throw problem("provider_not_configured");

    const form = await readForm(first?.body ?? null, contentType, MAX_UPLOAD_BODY_BYTES);
    const errors: FieldError[] = [];
    const names = [...new Set([...form.keys()])];
    for (const name of names) if (name !== FIELD) errors.push({ path: name, message: "is not a known field: send only one file field named `image`" });
    const values = form.getAll(FIELD);
    const value = values[0];
    if (value === undefined) errors.push({ path: FIELD, message: "is required: send one file field named `image`" });
    else if (values.length > 1) errors.push({ path: FIELD, message: `must be sent once; got ${values.length}` });
    else if (typeof value === "string") errors.push({ path: FIELD, message: "must be a file, not a text value" });
    if (errors.length > 0 || typeof value !== "object") throw validationError(errors);

    const file = value;
    if (file.size === 0) throw validationError([{ path: FIELD, message: "is empty" }]);
    if (file.size > MAX_IMAGE_BYTES) throw tooLarge();
    const kind = sniffImage(new Uint8Array(await file.slice(0, 16).arrayBuffer()));
    if (!kind) throw notAnImage();

    const outcome = await uploadWeshopImage(
      { ...config.weshop, apiKey },
      { bytes: file, filename: cleanFilename(file.name, kind.ext), contentType: kind.type },
      config.providerTimeoutMs,
      (input, init) => fetch(input, init),
    );
    if (outcome.ok) return c.json({ url: outcome.value.url }, 201);

    const { error } = outcome;
    c.get("log").warn("upload failed at provider", { code: error.code, httpStatus: error.httpStatus });
    if (error.code === "timeout" || error.code === "network_error") throw providerUnavailable(error.message);
    const retryAfter = error.retryAfterMs === undefined ? undefined : { "Retry-After": String(Math.ceil(error.retryAfterMs / 1000)) };
    throw providerError(`${error.code}: ${error.message}${error.retryable ? " (retryable)" : ""}`, retryAfter);
  });
