// Streams one provider output into R2 (known length: one put; unknown: multipart) and reports size and sha256.
import { log } from "../lib/log.ts";
import type { UrlPolicy } from "../lib/url-policy.ts";
import { pickContentType } from "./content-type.ts";
import { CopyFailure } from "./copy-failure.ts";
import { fetchOutput } from "./fetch-output.ts";
import { MeteredBody } from "./metered-body.ts";
import { putKnownLength, putUnknownLength, type UploadTarget } from "./r2-upload.ts";

export { extensionFor } from "./content-type.ts";

const DEFAULT_PART_SIZE = 5 * 1024 * 1024;

export interface CopyRequest {
  bucket: R2Bucket;
  url: string;
  key: string;
  /** Size the provider reported, if any; a different byte count is a failure. */
  expectedSize?: number;
  /** The provider's content type, used when the response does not name an image/video type. */
  contentTypeHint?: string;
  maxBytes: number;
  /** Time for the whole copy: redirects, download and upload. */
  timeoutMs: number;
  /** Checked for the URL and for each redirect hop before it is fetched. */
  urlPolicy: UrlPolicy;
  /** Multipart part size; default 5 MiB, the least R2 takes for all parts but the last (memory is three parts). */
  partSize?: number;
  /** Aborts the copy (the job was canceled); nothing it wrote stays in R2. */
  signal?: AbortSignal;
}

/**
 * `sha256` is only in the result (and for objects smaller than one part also in R2's
 * `customMetadata.sha256`): a streamed put or multipart upload must name its metadata before
 * the bytes are read, so the job record is the place that holds the hash.
 * `etag` is R2's unquoted etag.
 */
export type CopyResult =
  | { ok: true; size: number; sha256: string; contentType: string; etag: string }
  | { ok: false; retryable: boolean; code: string; message: string };

export async function copyToR2(req: CopyRequest): Promise<CopyResult> {
  const deadline = AbortSignal.timeout(req.timeoutMs);
  const signal = req.signal ? AbortSignal.any([req.signal, deadline]) : deadline;
  let body: MeteredBody | null = null;
  try {
    const res = await fetchOutput(req.url, req.urlPolicy, signal);
    body = new MeteredBody(res.body ?? new Blob([]).stream(), req.maxBytes, signal);
    const length = declaredLength(res.headers);
    if (length !== null) checkDeclaredLength(length, req);

    const target: UploadTarget = {
      bucket: req.bucket,
      key: req.key,
      contentType: pickContentType(res.headers.get("Content-Type"), req.contentTypeHint),
      signal,
      abandoned: req.signal,
    };
    const meter = body;
    const object =
      length !== null
        ? await putKnownLength(target, meter, length)
        : await putUnknownLength(target, meter, req.partSize ?? DEFAULT_PART_SIZE, () =>
            checkFinalSize(meter.bytes, req),
          );

    // Defensive: both paths already guarantee this, but a wrong-sized object must never stay.
    if (object.size !== body.bytes || (req.expectedSize !== undefined && body.bytes !== req.expectedSize)) {
      await req.bucket.delete(req.key).catch(() => undefined);
      checkFinalSize(body.bytes, req);
      throw new CopyFailure("size_mismatch", true, `R2 stored ${object.size} bytes, read ${body.bytes}`);
    }
    const sha256 = await body.sha256Hex();
    return { ok: true, size: body.bytes, sha256, contentType: target.contentType, etag: object.etag };
  } catch (err) {
    body?.cancel();
    if (req.signal?.aborted)
      return {
        ok: false,
        retryable: true,
        code: "aborted",
        message: "the copy was abandoned because the job was canceled",
      };
    return toFailure(err, signal, req.key);
  }
}

/** Content-Length, unless the body was re-encoded (workerd decompresses gzip but keeps the header). */
function declaredLength(headers: Headers): number | null {
  const encoding = headers.get("Content-Encoding")?.trim().toLowerCase();
  if (encoding !== undefined && encoding !== "" && encoding !== "identity") return null;
  const raw = headers.get("Content-Length")?.trim();
  if (raw === undefined || !/^\d{1,15}$/.test(raw)) return null;
  return Number(raw);
}

// Refuses before writing anything when the headers already show the copy cannot succeed.
function checkDeclaredLength(length: number, req: CopyRequest): void {
  if (length > req.maxBytes) {
    throw new CopyFailure("too_large", false, `output is ${length} bytes, over the ${req.maxBytes} byte limit`);
  }
  checkFinalSize(length, req);
}

function checkFinalSize(bytes: number, req: CopyRequest): void {
  if (req.expectedSize !== undefined && bytes !== req.expectedSize) {
    throw new CopyFailure("size_mismatch", true, `output is ${bytes} bytes, provider reported ${req.expectedSize}`);
  }
}

function toFailure(err: unknown, signal: AbortSignal, key: string): CopyResult {
  if (err instanceof CopyFailure) return { ok: false, retryable: err.retryable, code: err.code, message: err.message };
  if (signal.aborted)
    return { ok: false, retryable: true, code: "timeout", message: "the copy did not finish within its time limit" };
  // Only the error's name: messages from fetch can quote the URL and its token.
  log("error", "media copy failed unexpectedly", { key, error: err instanceof Error ? err.name : typeof err });
  return { ok: false, retryable: true, code: "copy_failed", message: "unexpected error while copying the output" };
}
