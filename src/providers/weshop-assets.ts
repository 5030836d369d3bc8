// WeShop image upload (`POST /agent/assets/images`): one multipart file field `image`, answered
// with a reusable URL in `data.image`. The raw key goes only to the configured base URL, which
// config.ts allows to be the real WeShop host or a loopback simulator; this module checks that
// again before sending, so a hand-built endpoint cannot leak the key either.
import { z } from "zod";
import { type ProviderEndpoint, WESHOP_DEFAULT_BASE_URL } from "../config.ts";
import { isLoopbackHost } from "../lib/url-policy.ts";
import { callJson, type FetchFn, parseRetryAfter } from "./http.ts";
import { scrubSecrets } from "./scrub.ts";
import { fail, type Outcome, ok, type ProviderError } from "./types.ts";
import { envelopeError, isTransientCode } from "./weshop.ts";

export interface UploadFile {
  bytes: Uint8Array | Blob;
  filename: string;
  contentType: string;
}

const success = z.object({
  success: z.literal(true),
  data: z.object({ image: z.url({ protocol: /^https?$/ }) }),
});

const errorEnvelope = envelopeError;

/** The key may go to the official WeShop base URL or to a loopback simulator, nowhere else. */
function keyMayGoTo(endpoint: ProviderEndpoint): boolean {
  if (!endpoint.loopback) return endpoint.baseUrl === WESHOP_DEFAULT_BASE_URL;
  try {
    const url = new URL(endpoint.baseUrl);
    return (
      url.protocol === "http:" && isLoopbackHost(url.hostname) && url.port !== "" && !url.username && !url.password
    );
  } catch {
    return false;
  }
}

/** Provider text is shown to clients: never let it carry the key, and keep it short. */
const scrub = (text: string, apiKey: string): string => scrubSecrets(text, [apiKey]);

export async function uploadWeshopImage(
  endpoint: ProviderEndpoint & { apiKey: string },
  file: UploadFile,
  timeoutMs: number,
  fetch: FetchFn,
): Promise<Outcome<{ url: string }>> {
  if (!keyMayGoTo(endpoint))
    return fail({
      retryable: false,
      code: "endpoint_refused",
      message: "WESHOP_BASE_URL is neither WeShop nor a loopback simulator; the key was not sent",
    });
  const form = new FormData();
  // re-wrapped so the part carries the type we detected, not whatever the caller's blob claimed
  form.append("image", new Blob([file.bytes], { type: file.contentType }), file.filename);
  const result = await callJson(
    fetch,
    `${endpoint.baseUrl}/agent/assets/images`,
    // no Content-Type: fetch writes multipart/form-data with its own boundary
    { method: "POST", headers: { Authorization: endpoint.apiKey, Accept: "application/json" }, body: form },
    timeoutMs,
    true,
  );
  if (!result.ok) return fail(result.error);
  const { status, headers, json } = result;
  if (status < 300) {
    const parsed = success.safeParse(json);
    if (parsed.success) return ok({ url: parsed.data.data.image });
  }
  return fail(classify(status, headers, json, endpoint.apiKey));
}

function classify(status: number, headers: Headers, json: unknown, apiKey: string): ProviderError {
  const retryAfterMs = parseRetryAfter(headers.get("retry-after"));
  const parsed = errorEnvelope.safeParse(json);
  const e = parsed.success ? parsed.data : {};
  const hasError = e.error !== undefined || e.code !== undefined || e.success === false;
  if (!hasError || (status < 300 && (json as { success?: unknown } | null)?.success === true))
    // a success without a usable data.image, or neither success nor an error envelope
    return {
      retryable: true,
      code: "bad_response",
      message: `WeShop answered HTTP ${status} with an unexpected shape`,
      httpStatus: status,
      retryAfterMs,
    };
  const code = scrub(String(e.error?.code ?? e.code ?? `http_${status}`), apiKey);
  const message = scrub(`${e.error?.message ?? e.msg ?? "WeShop refused the upload"} (HTTP ${status})`, apiKey);
  const retryable = isTransientCode(code) || (e.error?.retryable ?? (status >= 500 || status === 429));
  return { retryable, code, message, httpStatus: status, retryAfterMs };
}
