// /v1/uploads: POST takes one multipart body whose first part says what it is: `image` (checked by
// its bytes, forwarded to WeShop `POST /agent/assets/images`, answered with the reusable URL WeShop
// gives back; read through a counting stream, so no more than its 10 MiB limit is ever held) or
// `file` (any media, streamed into R2: file.ts). DELETE /v1/uploads/{id}. The body is read by the
// handler itself, under the limit of the field it carries, so it is documented by `$ref`, not
// validated by the definition. The definitions first, then their handlers.
import { createRoute, z } from "@hono/zod-openapi";
import { firstPartName, multipartBoundary } from "../../../lib/multipart.ts";
import { type FieldError, problem } from "../../../lib/problems.ts";
import { validationError } from "../../../lib/validation.ts";
import { sniffImage } from "../../../media/sniff.ts";
import { uploadWeshopImage } from "../../../providers/weshop-assets.ts";
import {
  UPLOAD_FIELD as FIELD,
  FILE_FIELD,
  MAX_FILE_BODY_BYTES,
  MAX_IMAGE_BYTES,
  MAX_UPLOAD_BODY_BYTES,
} from "../../../schemas/upload-spec.ts";
import { storedUploadSchema, uploadSchema } from "../../../schemas/upload-view.ts";
import { routeGroup } from "../../openapi/hook.ts";
import { EXAMPLE_UPLOAD_ID, uploadIdParams } from "../../openapi/params.ts";
import {
  authenticated,
  authProblems,
  notFoundProblem,
  problemBody,
  problemExample,
  problemResponse,
  REQUEST_ID_HEADER,
  validationProblem,
} from "../../openapi/problems.ts";
import { ref } from "../../openapi/request-schemas.ts";
import { deleteUpload, uploadFile } from "./file.ts";
import {
  fileTooLarge,
  imageTooLarge,
  notAnImage,
  notMultipart,
  providerError,
  providerUnavailable,
  imageTooLarge as tooLarge,
} from "./problems.ts";

const storedExample = {
  id: EXAMPLE_UPLOAD_ID,
  url: `https://seedrun.example.com/media/uploads/${EXAMPLE_UPLOAD_ID}.mp4?expires=1796140800&sig=Q2hhbmdlIG1lOiB0aGlzIGlzIGFuIGV4YW1wbGUgc2ln`,
  kind: "video" as const,
  contentType: "video/mp4",
  size: 48213760,
  sha256: "9f2c4e0b7a1d3f5e8c6b2a4d9e1f0c3b5a7d8e2f4c6b1a3d5e7f9c0b2d4a6e8f",
  expiresAt: "2026-11-28T11:00:00.000Z",
};

export const uploadImageRoute = createRoute({
  method: "post",
  path: "/v1/uploads",
  operationId: "uploadImage",
  summary: "Upload an image, video or audio file",
  description:
    "`multipart/form-data` with exactly one file field. `file`: an image (PNG, JPEG, WebP), a video (MP4, WebM, QuickTime) or audio (MP3, WAV, M4A/AAC), recognised by its bytes, at most 100 MiB, streamed into this server's storage and answered as a `StoredUpload` whose signed `url` (valid 7 days) goes in any URL param, e.g. Seedance's `videos`, `audios` or `extendVideo`. `image` (PNG, JPEG or WebP; at most 10 MiB): forwarded to WeShop, and the reusable URL it returns is answered as an `Upload`; use it in `params.images`.",
  tags: ["Uploads"],
  ...authenticated,
  request: {
    body: {
      required: true,
      content: {
        "multipart/form-data": {
          schema: { oneOf: [ref("UploadFile"), ref("UploadImage")] },
          encoding: {
            file: { contentType: "image/*, video/*, audio/*" },
            image: { contentType: "image/png, image/jpeg, image/webp" },
          },
        },
      },
    },
  },
  responses: {
    201: {
      description: "Stored: in this server's storage (field `file`), or at WeShop (field `image`).",
      headers: REQUEST_ID_HEADER,
      content: {
        "application/json": {
          schema: z.union([storedUploadSchema, uploadSchema]),
          examples: {
            stored: { summary: "A video stored here (field `file`)", value: storedExample },
            uploaded: {
              summary: "An image at WeShop (field `image`)",
              value: { url: "https://ai-resource.weshop.com/assets/3f9a1c7e5b2d.png" },
            },
          },
        },
      },
    },
    400: problemResponse(
      "Missing, repeated, empty or extra fields, a `file` that is no supported media, or an unreadable multipart body",
      {
        validation_failed: validationProblem([
          { path: "image", message: "is required: send one file field named `image`" },
        ]),
        not_media: validationProblem([
          {
            path: "file",
            message:
              "must be an image (PNG, JPEG, WebP), a video (MP4, WebM, QuickTime) or audio (MP3, WAV, M4A/AAC), recognised by its content",
          },
        ]),
        invalid_multipart: problemExample("invalid_multipart"),
      },
    ),
    413: problemResponse("A `file` over 100 MiB or an `image` over 10 MiB; nothing is kept", {
      file_too_large: problemBody(fileTooLarge()),
      payload_too_large: problemBody(imageTooLarge()),
    }),
    415: problemResponse("Not multipart, or not a PNG, JPEG or WebP image", {
      unsupported_media_type: problemBody(notMultipart()),
      not_an_image: problemBody(notAnImage()),
    }),
    502: problemResponse(
      "WeShop refused the upload or answered badly",
      { provider_error: problemBody(providerError("INSUFFICIENT_POWER: Insufficient power balance")) },
      {
        "Retry-After": {
          description: "Seconds, when WeShop said when to try again.",
          schema: { type: "string", pattern: "^\\d+$" },
        },
      },
    ),
    503: problemResponse("WESHOP_API_KEY is not set", {
      provider_not_configured: problemExample("provider_not_configured"),
    }),
    504: problemResponse("WeShop did not answer in time", {
      provider_unavailable: problemBody(providerUnavailable("provider did not answer within 15000 ms")),
    }),
    ...authProblems,
  },
});

export const deleteUploadRoute = createRoute({
  method: "delete",
  path: "/v1/uploads/{id}",
  operationId: "deleteUpload",
  summary: "Delete a stored upload",
  description:
    "Removes a file uploaded with the field `file`; its link answers `404` from then on. An upload of another API key is `404`.",
  tags: ["Uploads"],
  ...authenticated,
  request: { params: uploadIdParams },
  responses: {
    204: { description: "Deleted.", headers: REQUEST_ID_HEADER },
    404: notFoundProblem("Upload", EXAMPLE_UPLOAD_ID),
    ...authProblems,
  },
});

/** Parses the multipart body, failing with 413 as soon as more than `limit` bytes have arrived. */
async function readForm(
  body: ReadableStream<Uint8Array> | null,
  contentType: string,
  limit: number,
): Promise<FormData> {
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
  .openapi(uploadImageRoute, async (c) => {
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
    for (const name of names)
      if (name !== FIELD)
        errors.push({ path: name, message: "is not a known field: send only one file field named `image`" });
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
    const retryAfter =
      error.retryAfterMs === undefined ? undefined : { "Retry-After": String(Math.ceil(error.retryAfterMs / 1000)) };
    throw providerError(`${error.code}: ${error.message}${error.retryable ? " (retryable)" : ""}`, retryAfter);
  });
