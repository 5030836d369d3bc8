// Fetches a provider output URL, following redirects only to URLs the policy allows.
import { checkUrl, type UrlPolicy } from "../lib/url-policy.ts";
import { CopyFailure, untilDeadline } from "./copy-failure.ts";

const MAX_REDIRECTS = 3;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Returns a 200 response whose body is the media; throws CopyFailure otherwise. Messages never contain the URL (query strings may hold provider tokens). */
export async function fetchOutput(url: string, policy: UrlPolicy, signal: AbortSignal): Promise<Response> {
  let current = url;
  for (let redirects = 0; ; redirects++) {
    // the runtime's fetch reads the URL with the same WHATWG parser that checked it: no differential
    const refused = checkUrl(current, { ...policy, requireNormalised: false });
    if (refused !== null) {
      const which = redirects === 0 ? "output URL" : "redirect target";
      throw new CopyFailure("unsafe_url", false, `${which} refused: ${refused}`);
    }
    const res = await fetchOnce(current, signal);
    if (!REDIRECT_STATUSES.has(res.status)) return checkStatus(res);

    const location = res.headers.get("Location");
    discard(res);
    if (location === null)
      throw new CopyFailure("output_fetch_failed", false, `redirect ${res.status} without Location`);
    if (redirects >= MAX_REDIRECTS)
      throw new CopyFailure("too_many_redirects", false, `more than ${MAX_REDIRECTS} redirects`);
    current = resolveLocation(location, current);
  }
}

async function fetchOnce(url: string, signal: AbortSignal): Promise<Response> {
  try {
    // identity: workerd would otherwise decompress silently and the byte count would not match Content-Length
    const init: RequestInit = { headers: { "Accept-Encoding": "identity" }, redirect: "manual", signal };
    return await untilDeadline(fetch(url, init), signal);
  } catch (err) {
    if (err instanceof CopyFailure) throw err;
    throw new CopyFailure("output_fetch_failed", true, "could not reach the output host");
  }
}

function checkStatus(res: Response): Response {
  const status = res.status;
  if (status === 200 || status === 203) return res;
  discard(res);
  // Expired or revoked provider URLs answer these; retrying cannot bring the file back.
  if (status === 403 || status === 404 || status === 410) {
    throw new CopyFailure("output_unavailable", false, `output URL answered ${status}; it has probably expired`);
  }
  if (status >= 500 || status === 408 || status === 425 || status === 429) {
    throw new CopyFailure("output_fetch_failed", true, `output URL answered ${status}`);
  }
  throw new CopyFailure("output_fetch_failed", false, `output URL answered unexpected status ${status}`);
}

function resolveLocation(location: string, base: string): string {
  try {
    return new URL(location, base).href;
  } catch {
    throw new CopyFailure("unsafe_url", false, "redirect target refused: not a valid URL");
  }
}

function discard(res: Response): void {
  res.body?.cancel().catch(() => undefined);
}
