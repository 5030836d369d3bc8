// The problems of POST /v1/uploads: thrown by its handlers (uploads.ts, file.ts) and shown as the
// route's documented examples, so each is worded once.
import { problem } from "../../../lib/problems.ts";
import { FILE_FIELD, MAX_FILE_BYTES, MAX_IMAGE_BYTES, UPLOAD_FIELD } from "../../../schemas/upload-spec.ts";

const FILE_LIMIT = `must be at most 100 MiB (${MAX_FILE_BYTES} bytes)`;
const IMAGE_LIMIT = `must be at most 10 MiB (${MAX_IMAGE_BYTES} bytes)`;

export const fileTooLarge = () =>
  problem("payload_too_large", {
    detail: `The file ${FILE_LIMIT}.`,
    errors: [{ path: FILE_FIELD, message: FILE_LIMIT }],
  });
export const imageTooLarge = () =>
  problem("payload_too_large", {
    detail: `The image ${IMAGE_LIMIT}.`,
    errors: [{ path: UPLOAD_FIELD, message: IMAGE_LIMIT }],
  });
export const notMultipart = () =>
  problem("unsupported_media_type", {
    detail: "Send multipart/form-data with one file field named `file` (any media) or `image` (an image for WeShop).",
  });
export const notAnImage = () =>
  problem("unsupported_media_type", {
    detail: "The image must be a PNG, JPEG or WebP file.",
    errors: [
      {
        path: UPLOAD_FIELD,
        message: "must be a PNG, JPEG or WebP image (recognised by its content, not its name or declared type)",
      },
    ],
  });
export const providerError = (said: string, headers?: Record<string, string>) =>
  problem("provider_error", { detail: `WeShop refused the upload: ${said}.`, ...(headers ? { headers } : {}) });
export const providerUnavailable = (said: string) =>
  problem("provider_unavailable", { detail: `WeShop did not complete the upload: ${said}. It is safe to retry.` });
