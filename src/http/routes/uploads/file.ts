// POST /v1/uploads with the field `file` (any media, up to 100 MiB, streamed into R2 under
// `uploads/{id}.{ext}` with its owner in the object's metadata) and DELETE /v1/uploads/{id}.
// The multipart body is parsed as it arrives (src/lib/multipart.ts), never held whole.
import type { Context } from "hono";
import { randomId } from "../../../lib/crypto.ts";
import { log } from "../../../lib/log.ts";
import { MultipartError, MultipartReader } from "../../../lib/multipart.ts";
import { type ApiError, type FieldError, notFound, problem } from "../../../lib/problems.ts";
import { validationError } from "../../../lib/validation.ts";
import { makeLinkSigner } from "../../../media/links.ts";
import { type StoredFile, StoreError, storeUpload } from "../../../media/store-upload.ts";
import { FILE_FIELD as FIELD, MAX_FILE_BYTES, UPLOAD_LINK_TTL_SECONDS } from "../../../schemas/upload-spec.ts";
import type { StoredUploadView } from "../../../schemas/upload-view.ts";
import type { AppEnv } from "../../context.ts";
import { fileTooLarge } from "./problems.ts";

const KINDS_TEXT =
  "must be an image (PNG, JPEG, WebP), a video (MP4, WebM, QuickTime) or audio (MP3, WAV, M4A/AAC), recognised by its content";
/** A slow client gets this long to send its file; then the upload is abandoned and nothing kept. */
const UPLOAD_TIMEOUT_MS = 15 * 60 * 1000;
/** Further parts after the file are read this far to name them all in the 400. */
const MAX_EXTRA_BYTES = 64 * 1024;

const invalidMultipart = () => problem("invalid_multipart");

function storeProblem(err: StoreError): ApiError {
  switch (err.failure.code) {
    case "empty":
      return validationError([{ path: FIELD, message: "is empty" }]);
    case "unrecognised":
      return validationError([{ path: FIELD, message: KINDS_TEXT }]);
    case "too_large":
      return fileTooLarge();
    case "truncated":
      return invalidMultipart();
  }
}

/** The names of the parts after the file (read up to MAX_EXTRA_BYTES), each one a field we do not take. */
async function restOfForm(reader: MultipartReader): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  let read = 0;
  let files = 1;
  for (let part = await reader.nextPart(); part !== null; part = await reader.nextPart()) {
    if (part.head.name === FIELD) files++;
    else errors.push({ path: part.head.name, message: "is not a known field: send only one file field named `file`" });
    const body = part.body.getReader();
    for (let chunk = await body.read(); !chunk.done; chunk = await body.read()) {
      read += chunk.value.byteLength;
      if (read > MAX_EXTRA_BYTES) {
        await reader.cancel();
        return [...errors, ...(files > 1 ? [{ path: FIELD, message: `must be sent once; got ${files} or more` }] : [])];
      }
    }
  }
  return files > 1 ? [{ path: FIELD, message: `must be sent once; got ${files}` }, ...errors] : errors;
}

/** Handles a body whose first part is `file`: stores it, checks the rest, gives what 201 answers. */
export async function uploadFile(
  c: Context<AppEnv>,
  body: ReadableStream<Uint8Array>,
  boundary: string,
): Promise<StoredUploadView> {
  const reader = new MultipartReader(body, boundary);
  const bucket = c.env.MEDIA;
  let stored: StoredFile | undefined;
  try {
    const part = await reader.nextPart();
    if (part === null) throw validationError([{ path: FIELD, message: "is required" }]);
    if (part.head.filename === undefined) {
      await reader.cancel();
      throw validationError([{ path: FIELD, message: "must be a file, not a text value" }]);
    }
    const id = randomId("upl");
    const signal = AbortSignal.any([c.req.raw.signal, AbortSignal.timeout(UPLOAD_TIMEOUT_MS)]);
    stored = await storeUpload(bucket, part.body, {
      keyFor: (sniffed) => `uploads/${id}.${sniffed.ext}`,
      maxBytes: MAX_FILE_BYTES,
      signal,
      customMetadata: { tenant: c.get("tenant"), uploadId: id },
    });
    const extra = await restOfForm(reader);
    if (extra.length > 0) throw validationError(extra);

    const config = c.get("config");
    const sign = makeLinkSigner(
      config.signingSecret,
      config.publicBaseUrl ?? new URL(c.req.url).origin,
      Date.now(),
      UPLOAD_LINK_TTL_SECONDS,
    );
    const link = await sign(stored.key);
    const view: StoredUploadView = {
      id,
      url: link.url,
      kind: stored.kind,
      contentType: stored.type,
      size: stored.size,
      sha256: stored.sha256,
      expiresAt: link.expiresAt,
    };
    log("info", "upload stored", { requestId: c.get("requestId"), uploadId: id, kind: stored.kind, size: stored.size });
    return view;
  } catch (err) {
    await reader.cancel();
    // whatever went wrong after the file was stored, it does not stay
    if (stored) await bucket.delete(stored.key).catch(() => undefined);
    if (err instanceof StoreError) throw storeProblem(err);
    if (err instanceof MultipartError) throw invalidMultipart();
    throw err;
  }
}

/** The stored upload `id` of this tenant, or undefined (another tenant's counts as none). */
async function findUpload(bucket: R2Bucket, id: string, tenant: string): Promise<R2Object | undefined> {
  const listed = await bucket.list({ prefix: `uploads/${id}.`, limit: 10, include: ["customMetadata"] });
  return listed.objects.find((o) => o.customMetadata?.tenant === tenant && o.customMetadata.uploadId === id);
}

/** DELETE /v1/uploads/{id}: removes the file; its link answers 404 from then on. */
export async function deleteUpload(c: Context<AppEnv>, id: string): Promise<void> {
  const found = await findUpload(c.env.MEDIA, id, c.get("tenant"));
  if (!found) throw notFound(`Upload ${id}`);
  await c.env.MEDIA.delete(found.key);
}
