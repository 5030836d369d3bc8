// The definition of POST /v1/uploads (handler in uploads.ts). The multipart body is read by the
// handler itself under its 10 MiB limit, so the body is documented by `$ref`, not validated here.
import { createRoute } from "@hono/zod-openapi";
import { ApiError } from "../../lib/errors.ts";
import { MAX_IMAGE_BYTES } from "../../schemas/upload-spec.ts";
import { uploadSchema } from "../../schemas/views.ts";
import { authenticated, authProblems, problem, problemBody, problemResponse, REQUEST_ID_HEADER, validationProblem } from "../openapi/problems.ts";
import { ref } from "../openapi/request-schemas.ts";

export const uploadImage = createRoute({
  method: "post",
  path: "/v1/uploads",
  operationId: "uploadImage",
  summary: "Upload an image",
  description:
    "`multipart/form-data` with exactly one file field `image` (PNG, JPEG or WebP, recognised by its bytes; at most 10 MiB). The image is forwarded to WeShop and the reusable URL it returns is answered; use it in `params.images`.",
  tags: ["Uploads"],
  ...authenticated,
  request: {
    body: {
      required: true,
      content: { "multipart/form-data": { schema: ref("UploadImage"), encoding: { image: { contentType: "image/png, image/jpeg, image/webp" } } } },
    },
  },
  responses: {
    201: {
      description: "Stored at WeShop.",
      headers: REQUEST_ID_HEADER,
      content: {
        "application/json": {
          schema: uploadSchema,
          examples: { uploaded: { summary: "Uploaded", value: { url: "https://ai-resource.weshop.com/assets/3f9a1c7e5b2d.png" } } },
        },
      },
    },
    400: problemResponse("Missing, repeated, empty or extra fields, or an unreadable multipart body", {
      validation_failed: validationProblem([{ path: "image", message: "is required: send one file field named `image`" }]),
      invalid_multipart: problem(400, "invalid_multipart", "Invalid multipart body", "The multipart/form-data body could not be parsed."),
    }),
    413: problemResponse("Image over 10 MiB", {
      payload_too_large: problemBody(
        new ApiError(413, "payload_too_large", "Payload Too Large", `The image must be at most 10 MiB (${MAX_IMAGE_BYTES} bytes).`, [
          { path: "image", message: `must be at most 10 MiB (${MAX_IMAGE_BYTES} bytes)` },
        ]),
      ),
    }),
    415: problemResponse("Not multipart, or not a PNG, JPEG or WebP image", {
      unsupported_media_type: problem(
        415,
        "unsupported_media_type",
        "Unsupported Media Type",
        "Send the image as multipart/form-data with one file field named `image`.",
      ),
      not_an_image: problemBody(
        new ApiError(415, "unsupported_media_type", "Unsupported Media Type", "The image must be a PNG, JPEG or WebP file.", [
          { path: "image", message: "must be a PNG, JPEG or WebP image (recognised by its content, not its name or declared type)" },
        ]),
      ),
    }),
    502: problemResponse(
      "WeShop refused the upload or answered badly",
      { provider_error: problem(502, "provider_error", "Provider error", "WeShop refused the upload: INSUFFICIENT_POWER: Insufficient power balance.") },
      { "Retry-After": { description: "Seconds, when WeShop said when to try again.", schema: { type: "string", pattern: "^\\d+$" } } },
    ),
    503: problemResponse("WESHOP_API_KEY is not set", {
      provider_not_configured: problem(
        503,
        "provider_not_configured",
        "Provider not configured",
        "Uploads go to WeShop, and WESHOP_API_KEY is not set on this server.",
      ),
    }),
    504: problemResponse("WeShop did not answer in time", {
      provider_unavailable: problem(
        504,
        "provider_unavailable",
        "Provider unavailable",
        "WeShop did not complete the upload: provider did not answer within 15000 ms. It is safe to retry.",
      ),
    }),
    ...authProblems,
  },
});
