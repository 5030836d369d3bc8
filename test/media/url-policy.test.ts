// checkUrl: which URLs may be fetched or handed to a provider.
import { describe, expect, it } from "vitest";
import { checkUrl, NOT_NORMALISED } from "../../src/lib/url-policy.ts";

const strict = { allowLoopbackHttp: false };
const dev = { allowLoopbackHttp: true };

describe("checkUrl", () => {
  it.each([
    "https://cdn.example.com/out/0.mp4?token=abc",
    "https://example.com",
    "https://example.com/a%20b.png?x=%E2%9C%93#frag",
    "https://sub.domain.example.co.uk/path",
    "https://xn--bcher-kva.example/",
  ])("accepts %s", (url) => {
    expect(checkUrl(url, strict)).toBeNull();
  });

  it.each([
    ["http://cdn.example.com/a.png", "must use https"],
    ["ftp://cdn.example.com/a.png", "must use https"],
    ["data:image/png;base64,AAAA", "must use https"],
    ["file:///etc/passwd", "must use https"],
    ["javascript:alert(1)", "must use https"],
    ["https://user:pw@cdn.example.com/", "must not contain credentials"],
    ["https://user@cdn.example.com/", "must not contain credentials"],
    ["https://cdn.example.com:8443/", "port not allowed"],
    ["https://10.0.0.1/", "IP address hosts are not allowed"],
    ["https://169.254.169.254/latest/meta-data", "IP address hosts are not allowed"],
    ["https://127.0.0.1/", "IP address hosts are not allowed"],
    ["https://2130706433/", "IP address hosts are not allowed"],
    ["https://0x7f.1/", "IP address hosts are not allowed"],
    ["https://017700000001/", "IP address hosts are not allowed"],
    ["https://0/", "IP address hosts are not allowed"],
    ["https://[::1]/", "IP address hosts are not allowed"],
    ["https://[fd00::1]:443/", "IP address hosts are not allowed"],
    ["https://[::ffff:10.0.0.1]/", "IP address hosts are not allowed"],
    ["https://localhost/", "private or local host names are not allowed"],
    ["https://api.localhost/", "private or local host names are not allowed"],
    ["https://printer.local/", "private or local host names are not allowed"],
    ["https://printer.local./", "private or local host names are not allowed"],
    ["https://metadata.google.internal/", "private or local host names are not allowed"],
    ["https://intranet/", "private or local host names are not allowed"],
    ["not a url", "not a valid URL"],
    ["https://exa mple.com/", "not a valid URL"],
    ["", "not a valid URL"],
  ])("refuses %s", (url, reason) => {
    expect(checkUrl(url, strict)).toBe(reason);
  });

  // Another parser (Python urllib, curl) reading these would not see what WHATWG saw, so the text
  // must already be WHATWG's own form: then both agree on the host.
  it.each([
    "https://example.com\\@169.254.169.254/latest/meta-data",
    "https://example.com\\x.png",
    "https://exa\tmple.com/a.png",
    "https://example.com/a\r\nHost: 169.254.169.254",
    "https://example.com/a.png\n",
    " https://example.com/a.png",
    "https://example.com/a b.png",
    "https://example.com:443/a.png",
    "https://EXAMPLE.com/x",
    "HTTPS://example.com/x",
    "https:example.com/x",
    "https:///example.com/x",
    "https://example.com?@169.254.169.254",
    "https://example.com/./a/../b.png",
  ])("refuses the non-normalised %j", (url) => {
    expect(checkUrl(url, strict)).toBe(NOT_NORMALISED);
  });

  it("reads non-normalised text only where WHATWG itself fetches it (requireNormalised: false)", () => {
    expect(checkUrl("https://EXAMPLE.com:443/x", { ...strict, requireNormalised: false })).toBeNull();
    expect(checkUrl("https://example.com\\@169.254.169.254/", { ...strict, requireNormalised: false })).toBeNull();
  });

  it("refuses URLs over maxLength (default 2048)", () => {
    const base = "https://cdn.example.com/";
    expect(checkUrl(base + "a".repeat(2048 - base.length), strict)).toBeNull();
    expect(checkUrl(base + "a".repeat(2049 - base.length), strict)).toBe("too long");
    expect(checkUrl(`${base}abc`, { allowLoopbackHttp: false, maxLength: 20 })).toBe("too long");
  });

  it("allows only the loopback simulator forms when allowLoopbackHttp is set", () => {
    expect(checkUrl("http://127.0.0.1:8790/weshop/out.png", strict)).toBe("must use https");
    expect(checkUrl("http://localhost:8787/x", strict)).toBe("must use https");
    expect(checkUrl("http://127.0.0.1:8790/weshop/out.png", dev)).toBeNull();
    expect(checkUrl("http://localhost:8787/x", dev)).toBeNull();
    expect(checkUrl("http://127.0.0.1/x", dev)).toBeNull();
    // other loopback or private forms stay refused
    expect(checkUrl("http://127.0.0.2:8790/", dev)).toBe("must use https");
    expect(checkUrl("http://[::1]:8790/", dev)).toBe("must use https");
    expect(checkUrl("http://10.0.0.1/", dev)).toBe("must use https");
    expect(checkUrl("http://api.localhost:8787/", dev)).toBe("must use https");
    expect(checkUrl("http://user:pw@127.0.0.1:8790/", dev)).toBe("must not contain credentials");
    expect(checkUrl("https://10.0.0.1/", dev)).toBe("IP address hosts are not allowed");
    expect(checkUrl("file:///etc/passwd", dev)).toBe("must use https");
    // the simulator's forms must be normalised text too
    expect(checkUrl("http://127.0.0.1:8790\\@169.254.169.254/", dev)).toBe(NOT_NORMALISED);
    expect(checkUrl("http://127.0.0.1:8790/a\tb", dev)).toBe(NOT_NORMALISED);
    // public https is unaffected by the flag
    expect(checkUrl("https://cdn.example.com/a.png", dev)).toBeNull();
  });
});
