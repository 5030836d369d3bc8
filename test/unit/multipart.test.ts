// The streaming multipart reader behind POST /v1/uploads (`file`): it yields a part's bytes while
// the body is still arriving (it never holds the body), finds delimiters split across chunks, and
// refuses malformed framing.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { firstPartName, MultipartError, MultipartReader, multipartBoundary } from "../../src/lib/multipart.ts";

const enc = new TextEncoder();
const BOUNDARY = "b0undary-x";

/** A stream over `bytes` cut into chunks of the given sizes (cycled). */
function chunked(bytes: Uint8Array, sizes: number[]): ReadableStream<Uint8Array> {
  let at = 0;
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      const n = Math.max(1, sizes[i++ % sizes.length]!);
      controller.enqueue(bytes.slice(at, at + n));
      at += n;
    },
  });
}

function body(parts: { name: string; filename?: string; data: Uint8Array }[]): Uint8Array {
  const pieces: Uint8Array[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ""}`;
    pieces.push(enc.encode(`--${BOUNDARY}\r\nContent-Disposition: ${disposition}\r\n\r\n`), p.data, enc.encode("\r\n"));
  }
  pieces.push(enc.encode(`--${BOUNDARY}--\r\n`));
  const out = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of pieces) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

describe("MultipartReader", () => {
  it("yields a part's first bytes after reading only a little of a long body (it streams)", async () => {
    const MiB = 1024 * 1024;
    let pulled = 0;
    const head = enc.encode(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.mp4"\r\n\r\n`);
    // a 1 GiB part, produced on demand: holding it would be impossible, reading it lazily is cheap
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        const chunk = pulled === 0 ? head : new Uint8Array(64 * 1024).fill(1);
        pulled += chunk.length;
        controller.enqueue(chunk);
        if (pulled > 1024 * MiB) controller.close();
      },
    });
    const reader = new MultipartReader(source, BOUNDARY);
    const part = await reader.nextPart();
    expect(part?.head).toEqual({ name: "file", filename: "big.mp4" });
    const body = part!.body.getReader();
    let got = 0;
    while (got < 4 * MiB) got += (await body.read()).value!.length;
    // what was read is what was passed on, give or take a chunk and the delimiter's length
    expect(pulled).toBeLessThan(got + 256 * 1024);
    await reader.cancel();
  });

  it("reads every part whatever the chunking, delimiters split across chunks included", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            name: fc.constantFrom("file", "a", "b"),
            data: fc.uint8Array({ maxLength: 300 }),
            file: fc.boolean(),
          }),
          {
            minLength: 1,
            maxLength: 4,
          },
        ),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }),
        async (parts, sizes) => {
          const input = parts.map((p) => ({ name: p.name, data: p.data, ...(p.file ? { filename: "x.bin" } : {}) }));
          const reader = new MultipartReader(chunked(body(input), sizes), BOUNDARY);
          for (const want of input) {
            const part = await reader.nextPart();
            expect(part?.head.name).toBe(want.name);
            expect(part?.head.filename).toBe(want.filename);
            expect(await readAll(part!.body)).toEqual(want.data);
          }
          expect(await reader.nextPart()).toBeNull();
        },
      ),
      { numRuns: 150 },
    );
  });

  it("a body that ends inside a part, or has no boundary, is a MultipartError", async () => {
    const whole = body([{ name: "file", filename: "a.bin", data: new Uint8Array(100).fill(9) }]);
    const cut = new MultipartReader(chunked(whole.slice(0, whole.length - 30), [7]), BOUNDARY);
    const part = await cut.nextPart();
    await expect(readAll(part!.body)).rejects.toBeInstanceOf(MultipartError);
    const none = new MultipartReader(chunked(enc.encode("just some text, no form here"), [5]), BOUNDARY);
    await expect(none.nextPart()).rejects.toBeInstanceOf(MultipartError);
    const noName = new MultipartReader(
      chunked(enc.encode(`--${BOUNDARY}\r\nContent-Disposition: form-data\r\n\r\nx\r\n--${BOUNDARY}--`), [3]),
      BOUNDARY,
    );
    await expect(noName.nextPart()).rejects.toBeInstanceOf(MultipartError);
  });
});

describe("firstPartName and multipartBoundary", () => {
  it("names the first part and gives back every byte of the body", async () => {
    const whole = body([
      { name: "image", filename: "a.png", data: new Uint8Array(5000).fill(3) },
      { name: "x", data: enc.encode("y") },
    ]);
    const { name, body: again } = await firstPartName(chunked(whole, [11, 3000]), BOUNDARY);
    expect(name).toBe("image");
    expect(await readAll(again)).toEqual(whole);
  });

  it("reads the boundary from the Content-Type, quoted or not", () => {
    expect(multipartBoundary(`multipart/form-data; boundary=${BOUNDARY}`)).toBe(BOUNDARY);
    expect(multipartBoundary('multipart/form-data; charset=utf-8; boundary="a b c"')).toBe("a b c");
    expect(multipartBoundary("application/json")).toBeUndefined();
    expect(multipartBoundary("multipart/form-data")).toBeUndefined();
  });
});
