// The definitions of POST /v1/uploads and DELETE /v1/uploads/{id} (handlers in uploads.ts and
// file-uploads.ts). The multipart body is read by the handler itself, under the limit of the field
// it carries, so the body is documented by `$ref`, not validated here.
import { createRoute, z } from "@hono/zod-openapi";
import { problem } from "../../lib/problems.ts";
import { FILE_FIELD, MAX_FILE_BYTES, MAX_IMAGE_BYTES, UPLOAD_FIELD } from "../../schemas/upload-spec.ts";
import { storedUploadSchema, uploadSchema } from "../../schemas/views.ts";
import { EXAMPLE_UPLOAD_ID, uploadIdParams } from "../openapi/params.ts";
import {
  authenticated,
  authProblems,
  notFoundProblem,
  problemBody,
  problemExample,
  problemResponse,
  REQUEST_ID_HEADER,
  validationProblem,
} from "../openapi/problems.ts";
import { ref } from "../openapi/request-schemas.ts";

const FILE_LIMIT = `must be at most 100 MiB (${MAX_FILE_BYTES} bytes)`;
const IMAGE_LIMIT = `must be at most 10 MiB (${MAX_IMAGE_BYTES} bytes)`;

/** The upload problems, thrown by the handlers (uploads.ts, file-uploads.ts) and shown as the examples below. */
export const fileTooLarge = () => problem("payload_too_large", { detail: `The file ${FILE_LIMIT}.`, errors: [{ path: FILE_FIELD, message: FILE_LIMIT }] });
export const imageTooLarge = () =>
  problem("payload_too_large", { detail: `The image ${IMAGE_LIMIT}.`, errors: [{ path: UPLOAD_FIELD, message: IMAGE_LIMIT }] });
export const notMultipart = () =>
  problem("unsupported_media_type", { detail: "Send multipart/form-data with one file field named `file` (any media) or `image` (an image for WeShop)." });
export const notAnImage = () =>
  problem("unsupported_media_type", {
    detail: "The image must be a PNG, JPEG or WebP file.",
    errors: [{ path: UPLOAD_FIELD, message: "must be a PNG, JPEG or WebP image (recognised by its content, not its name or declared type)" }],
  });
export const providerError = (said: string, headers?: Record<string, string>) =>
  problem("provider_error", { detail: `WeShop refused the upload: ${said}.`, ...(headers ? { headers } : {}) });
export const providerUnavailable = (said: string) =>
  problem("provider_unavailable", { detail: `WeShop did not complete the upload: ${said}. It is safe to retry.` });

const storedExample = {
  id: EXAMPLE_UPLOAD_ID,
  url: `https://seedrun.example.com/media/uploads/${EXAMPLE_UPLOAD_ID}.mp4?expires=1796140800&sig=Q2hhbmdlIG1lOiB0aGlzIGlzIGFuIGV4YW1wbGUgc2ln`,
  kind: "video" as const,
  contentType: "video/mp4",
  size: 48213760,
  sha256: "9f2c4e0b7a1d3f5e8c6b2a4d9e1f0c3b5a7d8e2f4c6b1a3d5e7f9c0b2d4a6e8f",
  expiresAt: "2026-11-28T11:00:00.000Z",
};

export const uploadImage = createRoute({
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
            uploaded: { summary: "An image at WeShop (field `image`)", value: { url: "https://ai-resource.weshop.com/assets/3f9a1c7e5b2d.png" } },
          },
        },
      },
    },
    400: problemResponse("Missing, repeated, empty or extra fields, a `file` that is no supported media, or an unreadable multipart body", {
      validation_failed: validationProblem([{ path: "image", message: "is required: send one file field named `image`" }]),
      not_media: validationProblem([
        {
          path: "file",
          message: "must be an image (PNG, JPEG, WebP), a video (MP4, WebM, QuickTime) or audio (MP3, WAV, M4A/AAC), recognised by its content",
        },
      ]),
      invalid_multipart: problemExample("invalid_multipart"),
    }),
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
      { "Retry-After": { description: "Seconds, when WeShop said when to try again.", schema: { type: "string", pattern: "^\\d+$" } } },
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
  description: "Removes a file uploaded with the field `file`; its link answers `404` from then on. An upload of another API key is `404`.",
  tags: ["Uploads"],
  ...authenticated,
  request: { params: uploadIdParams },
  responses: {
    204: { description: "Deleted.", headers: REQUEST_ID_HEADER },
    404: notFoundProblem("Upload", EXAMPLE_UPLOAD_ID),
    ...authProblems,
  },
});
