// Decides whether a URL may be fetched by us or handed to a provider (SSRF guard).
export interface UrlPolicy {
  /** Development mode (SEEDRUN_DEV=1) only: also allow http(s)://127.0.0.1:<port> and http(s)://localhost:<port>. */
  allowLoopbackHttp: boolean;
  /** Longest accepted URL in characters; default 2048. */
  maxLength?: number;
  /**
   * Refuse a URL whose text is not exactly its WHATWG-normalised form; default true. A URL we hand
   * to someone else (a provider, stored for a webhook) is parsed again by their parser (Python
   * urllib, curl): `https://example.com\@169.254.169.254/` is host example.com to WHATWG but
   * 169.254.169.254 to them, and the CR/LF/TAB WHATWG silently drops reach them intact. Only when
   * the text is already what WHATWG would write do both parsers see the same host. Off only where
   * the runtime's own fetch (WHATWG too) is the one reading the URL (provider output downloads).
   */
  requireNormalised?: boolean;
}

export const NOT_NORMALISED =
  "must be written in normalised form (no backslashes, spaces or control characters, lower-case scheme and host, no default port, special characters percent-encoded)";

const DEFAULT_MAX_LENGTH = 2048;
/**
 * The loopback hosts, the one definition used by this policy (development mode), the provider
 * base-URL rule and PUBLIC_BASE_URL's plain-http rule. `[::1]` is deliberately not one of them:
 * it is nowhere accepted, as the README documents.
 */
export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(["127.0.0.1", "localhost"]);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname);
}
// Names that only resolve inside a private network or on the machine itself.
const PRIVATE_SUFFIXES = ["localhost", "local", "internal", "home.arpa"];

/**
 * Returns null if `raw` may be fetched / handed to a provider, else a short human reason.
 * Workers resolve DNS on Cloudflare's side, so public names pointing at private addresses
 * are not reachable anyway; what we refuse here is what the URL itself says.
 */
export function checkUrl(raw: string, policy: UrlPolicy): string | null {
  if (raw.length > (policy.maxLength ?? DEFAULT_MAX_LENGTH)) return "too long";
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "not a valid URL";
  }
  if (url.username !== "" || url.password !== "") return "must not contain credentials";
  // the more specific reasons first; the text's form is checked for every URL they let through
  const reason = checkParsed(url, policy);
  if (reason === null && policy.requireNormalised !== false && !isNormalised(raw, url)) return NOT_NORMALISED;
  return reason;
}

function checkParsed(url: URL, policy: UrlPolicy): string | null {
  if (policy.allowLoopbackHttp && isLoopbackDevUrl(url)) return null;

  if (url.protocol !== "https:") return "must use https";
  // URL() drops the scheme's default port, so any remaining port is a non-default one.
  if (url.port !== "") return "port not allowed";
  return checkHostname(url.hostname);
}

/**
 * True when `raw` is exactly what WHATWG writes for it; the one tolerated difference is the "/"
 * WHATWG adds to an empty path with no query or fragment (`https://example.com`), which every
 * parser reads as the same request.
 */
function isNormalised(raw: string, url: URL): boolean {
  return raw === url.href || `${raw}/` === url.href;
}

function isLoopbackDevUrl(url: URL): boolean {
  return (url.protocol === "http:" || url.protocol === "https:") && isLoopbackHost(url.hostname);
}

function checkHostname(hostname: string): string | null {
  if (isIpLiteral(hostname)) return "IP address hosts are not allowed";
  // A trailing dot names the same host ("foo.local." is "foo.local"), so compare without it.
  const host = hostname.endsWith(".") ? hostname.slice(0, -1) : hostname;
  if (host === "" || !host.includes(".")) return "private or local host names are not allowed";
  for (const suffix of PRIVATE_SUFFIXES) {
    if (host === suffix || host.endsWith(`.${suffix}`)) return "private or local host names are not allowed";
  }
  return null;
}

function isIpLiteral(hostname: string): boolean {
  // URL() already rewrote decimal/octal/hex IPv4 forms (0x7f.1, 2130706433) to dotted quads.
  if (hostname.startsWith("[")) return true;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(hostname)) return true;
  // Belt and braces for parsers that keep numeric forms: a numeric last label means an IPv4 host.
  const last = hostname.replace(/\.$/, "").split(".").pop() ?? "";
  return /^(0x[0-9a-f]*|\d+)$/i.test(last);
}
