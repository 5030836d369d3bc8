// Signed media links: exact format and what verification refuses.
import { describe, expect, it } from "vitest";
import { LINK_TTL_SECONDS, makeLinkSigner, signMediaUrl, verifyMediaLink } from "../../src/media/links.ts";

const SECRET = "links-test-secret";
const KEY = "jobs/job_abc/0.mp4";
const NOW = 1_800_000_000;

async function expectedSig(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(message)));
  return btoa(String.fromCharCode(...mac))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

function parts(link: string): { path: string; expires: string | null; sig: string | null } {
  const url = new URL(link);
  return { path: url.pathname, expires: url.searchParams.get("expires"), sig: url.searchParams.get("sig") };
}

describe("signMediaUrl", () => {
  it("builds origin/media/key?expires&sig with base64url HMAC-SHA256 over key\\nexpires", async () => {
    const link = await signMediaUrl(SECRET, "https://api.seedrun.dev/", KEY, NOW + 3600);
    const sig = await expectedSig(SECRET, `${KEY}\n${NOW + 3600}`);
    expect(link).toBe(`https://api.seedrun.dev/media/${KEY}?expires=${NOW + 3600}&sig=${sig}`);
    expect(sig).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe("verifyMediaLink", () => {
  it("accepts its own links until they expire", async () => {
    const { expires, sig } = parts(await signMediaUrl(SECRET, "https://x.example", KEY, NOW + 60));
    expect(await verifyMediaLink(SECRET, KEY, expires, sig, NOW)).toBe("ok");
    expect(await verifyMediaLink(SECRET, KEY, expires, sig, NOW + 60)).toBe("expired");
  });

  it("refuses a link for another key, another expiry, another secret or a missing part", async () => {
    const { expires, sig } = parts(await signMediaUrl(SECRET, "https://x.example", KEY, NOW + 60));
    expect(await verifyMediaLink(SECRET, "jobs/job_abc/1.mp4", expires, sig, NOW)).toBe("invalid");
    expect(await verifyMediaLink(SECRET, KEY, String(NOW + 999_999), sig, NOW)).toBe("invalid");
    expect(await verifyMediaLink("other-secret", KEY, expires, sig, NOW)).toBe("invalid");
    expect(await verifyMediaLink(SECRET, KEY, null, sig, NOW)).toBe("invalid");
    expect(await verifyMediaLink(SECRET, KEY, expires, null, NOW)).toBe("invalid");
    expect(await verifyMediaLink(SECRET, KEY, expires, "not base64!", NOW)).toBe("invalid");
    expect(await verifyMediaLink(SECRET, KEY, "soon", sig, NOW)).toBe("invalid");
  });

  it("says invalid, not expired, for a forged link with a past expiry", async () => {
    const { expires } = parts(await signMediaUrl(SECRET, "https://x.example", KEY, NOW - 60));
    expect(await verifyMediaLink(SECRET, KEY, expires, "A".repeat(43), NOW)).toBe("invalid");
  });
});

describe("makeLinkSigner", () => {
  it("signs for a day by default and for a longer lifetime when asked, rounded up to the hour", async () => {
    const now = NOW * 1000 + 1; // just past an hour boundary
    const hour = Math.ceil(now / 3_600_000) * 3600;
    const usual = await makeLinkSigner(SECRET, "https://x.example", now)(KEY);
    expect(Number(parts(usual.url).expires)).toBe(hour + LINK_TTL_SECONDS);
    const long = await makeLinkSigner(SECRET, "https://x.example", now, 60 * 3600)(KEY);
    expect(Number(parts(long.url).expires)).toBe(hour + 60 * 3600);
    expect(long.expiresAt).toBe(new Date((hour + 60 * 3600) * 1000).toISOString());
    const { expires, sig } = parts(long.url);
    expect(await verifyMediaLink(SECRET, KEY, expires, sig, hour + 59 * 3600)).toBe("ok");
  });
});
