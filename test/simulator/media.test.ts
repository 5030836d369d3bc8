import { describe, expect, it } from "vitest";
import {
  bytesOf,
  harness,
  ORIGIN,
  SEEDANCE_RUN,
  seedreamRun,
  weshopPoll,
  weshopSubmit,
  wiroDetail,
  wiroRun,
} from "./helpers.ts";

const ascii = (b: Uint8Array) => String.fromCharCode(...b);
const u32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint32(at);

/** Independent CRC-32 (bitwise, no table) to check the sim's PNG chunks. */
function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const byte of bytes) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

async function inflate(data: Uint8Array): Promise<Uint8Array> {
  return bytesOf(new Response(new Blob([data]).stream().pipeThrough(new DecompressionStream("deflate"))));
}

function pngChunks(png: Uint8Array): Array<{ type: string; data: Uint8Array; crcOk: boolean }> {
  const out = [];
  let at = 8;
  while (at < png.length) {
    const len = u32(png, at);
    const typed = png.subarray(at + 4, at + 8 + len);
    out.push({
      type: ascii(typed.subarray(0, 4)),
      data: typed.subarray(4),
      crcOk: crc32(typed) === u32(png, at + 8 + len),
    });
    at += 12 + len;
  }
  return out;
}

function mp4Boxes(mp4: Uint8Array): Array<{ type: string; size: number; at: number }> {
  const out = [];
  let at = 0;
  while (at < mp4.length) {
    const size = u32(mp4, at);
    out.push({ type: ascii(mp4.subarray(at + 4, at + 8)), size, at });
    if (size < 8) break;
    at += size;
  }
  return out;
}

async function serve(h: ReturnType<typeof harness>, url: string) {
  const res = await h.sim.fetch(new Request(url));
  return { res, bytes: await bytesOf(res) };
}

describe("media outputs", () => {
  it("seedream jpeg: valid JPEG, unique per index, equal to mediaBytes, correct headers", async () => {
    const h = harness();
    const { data } = await weshopSubmit(h.sim, seedreamRun({ batchCount: 2 }));
    h.advance(8000);
    const urls: string[] = (await weshopPoll(h.sim, data.executionId)).data.executions[0].result.map(
      (r: { image: string }) => r.image,
    );
    const served = [];
    for (const url of urls) {
      const { res, bytes } = await serve(h, url);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("image/jpeg");
      expect(res.headers.get("content-length")).toBe(String(bytes.length));
      expect([bytes[0], bytes[1], bytes[2], bytes[3]]).toEqual([0xff, 0xd8, 0xff, 0xfe]); // SOI then our COM segment
      expect([bytes.at(-2), bytes.at(-1)]).toEqual([0xff, 0xd9]);
      expect(ascii(bytes)).toContain(data.executionId);
      expect(await h.sim.mediaBytes(url)).toEqual(bytes);
      served.push(ascii(bytes));
    }
    expect(served[0]).not.toBe(served[1]);
  });

  it("seedream png: signature, chunks with valid CRCs, inflatable 16x16 RGB data, tEXt label", async () => {
    const h = harness();
    const { data } = await weshopSubmit(h.sim, seedreamRun({ outputFormat: "png" }));
    h.advance(8000);
    const url = (await weshopPoll(h.sim, data.executionId)).data.executions[0].result[0].image;
    const { res, bytes } = await serve(h, url);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const chunks = pngChunks(bytes);
    expect(chunks.map((c) => c.type)).toEqual(["IHDR", "tEXt", "IDAT", "IEND"]);
    expect(chunks.every((c) => c.crcOk)).toBe(true);
    const ihdr = chunks[0]?.data as Uint8Array;
    expect([u32(ihdr, 0), u32(ihdr, 4), ihdr[8], ihdr[9]]).toEqual([16, 16, 8, 2]);
    expect((await inflate(chunks[2]?.data as Uint8Array)).length).toBe(16 * (1 + 16 * 3));
    expect(ascii(chunks[1]?.data as Uint8Array)).toContain(data.executionId);
    expect(await h.sim.mediaBytes(url)).toEqual(bytes);
  });

  it("seedance: MP4 boxes ftyp/moov/mdat + trailing free box; JPEG poster; per-task unique", async () => {
    const h = harness();
    const a = (await weshopSubmit(h.sim, SEEDANCE_RUN)).data.executionId;
    const b = (await weshopSubmit(h.sim, SEEDANCE_RUN)).data.executionId;
    h.advance(20000);
    const videos = [];
    for (const id of [a, b]) {
      const r = (await weshopPoll(h.sim, id)).data.executions[0].result[0];
      const { res, bytes } = await serve(h, r.video);
      expect(res.headers.get("content-type")).toBe("video/mp4");
      const boxes = mp4Boxes(bytes);
      expect(boxes[0]?.type).toBe("ftyp");
      expect(boxes.map((x) => x.type)).toEqual(expect.arrayContaining(["moov", "mdat"]));
      expect(boxes.at(-1)?.type).toBe("free");
      expect(boxes.reduce((n, x) => n + x.size, 0)).toBe(bytes.length);
      expect(ascii(bytes.subarray((boxes.at(-1)?.at ?? 0) + 8))).toContain(id);
      expect(await h.sim.mediaBytes(r.video)).toEqual(bytes);
      const poster = await serve(h, r.videoPoster);
      expect(poster.res.headers.get("content-type")).toBe("image/jpeg");
      expect([poster.bytes[0], poster.bytes[1], poster.bytes.at(-2), poster.bytes.at(-1)]).toEqual([
        0xff, 0xd8, 0xff, 0xd9,
      ]);
      videos.push(ascii(bytes));
    }
    expect(videos[0]).not.toBe(videos[1]);
  });

  it("seedance 2.5 with outputFormat mov: a .mov served as video/quicktime (ftyp brand qt); mp4 by default", async () => {
    const h = harness();
    const run = (outputFormat?: string) => ({
      agent: { name: "seedance-25", version: "v1.0" },
      input: {},
      params: {
        modelName: "Seedance_25",
        textDescription: "a long take",
        duration: "-1",
        ...(outputFormat ? { outputFormat } : {}),
      },
    });
    const mov = (await weshopSubmit(h.sim, run("mov"))).data.executionId;
    const mp4 = (await weshopSubmit(h.sim, run())).data.executionId;
    h.advance(20000);
    const movUrl = (await weshopPoll(h.sim, mov)).data.executions[0].result[0].video as string;
    expect(new URL(movUrl).pathname).toMatch(/\/0\.mov$/);
    const { res, bytes } = await serve(h, movUrl);
    expect(res.headers.get("content-type")).toBe("video/quicktime");
    expect(ascii(bytes.subarray(4, 12))).toBe("ftypqt  ");
    expect(mp4Boxes(bytes).reduce((n, x) => n + x.size, 0)).toBe(bytes.length);
    expect((await h.sim.fetch(new Request(movUrl.replace(/\.mov$/, ".mp4")))).status).toBe(404);
    const mp4Url = (await weshopPoll(h.sim, mp4)).data.executions[0].result[0].video as string;
    expect(new URL(mp4Url).pathname).toMatch(/\/0\.mp4$/);
    expect((await serve(h, mp4Url)).res.headers.get("content-type")).toBe("video/mp4");
  });

  it("wiro output: served bytes match mediaBytes and the size Task/Detail reports", async () => {
    const h = harness({ wiro: 1000 });
    const run = await wiroRun(h.sim);
    h.advance(1000);
    const out = (await wiroDetail(h.sim, run.socketaccesstoken)).outputs[0];
    const { res, bytes } = await serve(h, out.url);
    expect(res.headers.get("content-type")).toBe("video/mp4");
    expect(ascii(bytes.subarray(4, 8))).toBe("ftyp");
    expect(String(bytes.length)).toBe(out.size);
    expect(await h.sim.mediaBytes(out.url)).toEqual(bytes);
  });

  it("404 before the run finishes, for out-of-range indices and for unknown files", async () => {
    const h = harness();
    const { data } = await weshopSubmit(h.sim, seedreamRun({ batchCount: 1 }));
    const url = `${ORIGIN}/files/weshop/${data.executionId}/0.jpg`;
    expect((await h.sim.fetch(new Request(url))).status).toBe(404);
    expect(await h.sim.mediaBytes(url)).toBeUndefined();
    h.advance(8000);
    expect((await h.sim.fetch(new Request(url))).status).toBe(200);
    for (const bad of [
      `${ORIGIN}/files/weshop/${data.executionId}/1.jpg`,
      `${ORIGIN}/files/weshop/${data.executionId}/0.png`,
      `${ORIGIN}/files/nope/x`,
    ]) {
      expect((await h.sim.fetch(new Request(bad))).status).toBe(404);
    }
  });
});

describe("big synthetic files", () => {
  it("streams exactly N bytes with Content-Length, starting with ftyp and an mdat box covering the rest", async () => {
    const h = harness();
    const n = 1_000_003;
    const res = await h.sim.fetch(new Request(`${ORIGIN}/files/big/${n}.mp4`));
    expect(res.headers.get("content-length")).toBe(String(n));
    expect(res.headers.get("content-type")).toBe("video/mp4");
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let total = 0;
    let chunks = 0;
    let largest = 0;
    let head: Uint8Array | undefined;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      head ??= value;
      total += value.length;
      chunks += 1;
      largest = Math.max(largest, value.length);
    }
    expect(total).toBe(n);
    // Generated piecewise, never as one buffer.
    expect(chunks).toBeGreaterThan(10);
    expect(largest).toBeLessThanOrEqual(64 * 1024);
    const first = head as Uint8Array;
    expect(ascii(first.subarray(4, 8))).toBe("ftyp");
    expect(ascii(first.subarray(28, 32))).toBe("mdat");
    expect(u32(first, 24)).toBe(n - 24);
  });

  it.each([4 * 1024 ** 3, 5 * 1024 ** 3])(
    "a %i-byte file is announced whole and generated as it is read (the first MiB comes at once)",
    async (n) => {
      const h = harness();
      const res = await h.sim.fetch(new Request(`${ORIGIN}/files/big/${n}.mp4`));
      expect(res.headers.get("content-length")).toBe(String(n));
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      const head = new Uint8Array(1024 * 1024);
      let got = 0;
      while (got < head.length) {
        const { done, value } = await reader.read();
        if (done) break;
        head.set(value.subarray(0, head.length - got), got);
        got += value.length;
      }
      await reader.cancel();
      expect(got).toBeGreaterThanOrEqual(head.length);
      expect(ascii(head.subarray(4, 8))).toBe("ftyp");
      expect(ascii(head.subarray(28, 32))).toBe("mdat");
      if (n - 24 <= 0xffffffff) expect(u32(head, 24)).toBe(n - 24);
      // past 4 GiB an MP4 box needs the 64-bit size: size field 1, then the size after the type
      else expect([u32(head, 24), new DataView(head.buffer).getBigUint64(32)]).toEqual([1, BigInt(n - 24)]);
    },
  );

  it("?chunked=1 omits Content-Length; bytes still equal mediaBytes", async () => {
    const h = harness();
    const url = `${ORIGIN}/files/big/200000.mp4?chunked=1`;
    const { res, bytes } = await serve(h, url);
    expect(res.headers.get("content-length")).toBeNull();
    expect(bytes.length).toBe(200000);
    // A plain loop: vitest's deep equality over 200k elements is needlessly slow.
    const expected = (await h.sim.mediaBytes(url)) as Uint8Array;
    expect(expected.length === bytes.length && expected.every((v, i) => v === bytes[i])).toBe(true);
  });
});
