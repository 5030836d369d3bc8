// Real, tiny, per-output-unique media bytes (PNG, JPEG, MP4) and large synthetic MP4s generated in chunks.
import { BASE_JPEG_B64, BASE_MP4_B64 } from "./assets.ts";

/** A media file the sim can serve: bytes are produced by range so big files are never held whole. */
export interface MediaBody {
  contentType: string;
  size: number;
  chunk(offset: number, length: number): Uint8Array;
  /** Synthetic benchmark file: always streamed, whatever its size. */
  synthetic?: boolean;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (const x of bytes) {
    a = (a + x) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** FNV-1a; only used to vary pixel colours, not for security. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function u32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n >>> 0);
  return out;
}

function fromBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const ascii = (s: string) => new TextEncoder().encode(s);
const BASE_JPEG = fromBase64(BASE_JPEG_B64);
const BASE_MP4 = fromBase64(BASE_MP4_B64);

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const typed = concat([ascii(type), data]);
  return concat([u32(data.length), typed, u32(crc32(typed))]);
}

/** 16x16 RGB PNG; pixel colour comes from the label and the label is also stored in a tEXt chunk. */
export function pngImage(label: string): Uint8Array {
  const size = 16;
  const h = fnv1a(label);
  const raw = new Uint8Array(size * (1 + size * 3));
  for (let y = 0; y < size; y++) {
    const row = y * (1 + size * 3);
    for (let x = 0; x < size; x++) {
      raw[row + 1 + x * 3] = (h & 0xff) ^ (x * 8);
      raw[row + 2 + x * 3] = ((h >>> 8) & 0xff) ^ (y * 8);
      raw[row + 3 + x * 3] = (h >>> 16) & 0xff;
    }
  }
  // A single stored (uncompressed) deflate block keeps this synchronous and dependency-free.
  const stored = concat([
    new Uint8Array([
      0x78,
      0x01,
      0x01,
      raw.length & 0xff,
      raw.length >>> 8,
      ~raw.length & 0xff,
      (~raw.length >>> 8) & 0xff,
    ]),
    raw,
    u32(adler32(raw)),
  ]);
  const ihdr = concat([u32(size), u32(size), new Uint8Array([8, 2, 0, 0, 0])]);
  return concat([
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    pngChunk("tEXt", concat([ascii("Comment"), new Uint8Array([0]), ascii(label)])),
    pngChunk("IDAT", stored),
    pngChunk("IEND", new Uint8Array(0)),
  ]);
}

/** The embedded baseline JPEG with a COM segment holding the label right after SOI. */
export function jpegImage(label: string): Uint8Array {
  const text = ascii(label);
  const len = text.length + 2;
  return concat([
    BASE_JPEG.subarray(0, 2),
    new Uint8Array([0xff, 0xfe, len >>> 8, len & 0xff]),
    text,
    BASE_JPEG.subarray(2),
  ]);
}

/** The embedded MP4 with a trailing top-level `free` box holding the label (players skip it). */
export function mp4Video(label: string): Uint8Array {
  const text = ascii(label);
  return concat([BASE_MP4, u32(text.length + 8), ascii("free"), text]);
}

/** The same file as a QuickTime movie: the ftyp major brand says `qt  `, as a .mov's does. */
export function movVideo(label: string): Uint8Array {
  const bytes = mp4Video(label);
  bytes.set(ascii("qt  "), 8);
  return bytes;
}

export function bytesMedia(contentType: string, bytes: Uint8Array): MediaBody {
  return {
    contentType,
    size: bytes.length,
    chunk: (offset, length) => bytes.slice(offset, offset + length),
  };
}

const FTYP = concat([u32(24), ascii("ftypisom"), u32(0x200), ascii("isommp41")]);
const PATTERN = (() => {
  const p = new Uint8Array(65536 + 256);
  for (let i = 0; i < p.length; i++) p[i] = i & 0xff;
  return p;
})();

function mdatHeader(boxSize: number): Uint8Array {
  if (boxSize <= 0xffffffff) return concat([u32(boxSize), ascii("mdat")]);
  const large = new Uint8Array(8);
  new DataView(large.buffer).setBigUint64(0, BigInt(boxSize));
  return concat([u32(1), ascii("mdat"), large]);
}

/** An MP4-looking file of exactly `total` bytes: ftyp, then one mdat box of filler. */
export function bigMp4(total: number): MediaBody {
  // Below 40 bytes there is no room for a box header plus payload; the caller still gets exactly `total` bytes.
  const head = total >= 40 ? concat([FTYP, mdatHeader(total - FTYP.length)]) : FTYP;
  return {
    contentType: "video/mp4",
    size: total,
    synthetic: true,
    chunk(offset, length) {
      const end = Math.min(total, offset + length);
      const out = new Uint8Array(Math.max(0, end - offset));
      let at = 0;
      while (at < out.length) {
        const n = Math.min(65536, out.length - at);
        const start = (offset + at) & 0xff;
        out.set(PATTERN.subarray(start, start + n), at);
        at += n;
      }
      if (offset < head.length) out.set(head.subarray(offset, Math.min(head.length, end)), 0);
      return out;
    },
  };
}

const STREAM_CHUNK = 64 * 1024;

/** Streams the first `limit` bytes of a media body on demand, so memory stays at one chunk. */
export function mediaStream(media: MediaBody, limit = media.size): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= limit) {
        controller.close();
        return;
      }
      const n = Math.min(STREAM_CHUNK, limit - offset);
      controller.enqueue(media.chunk(offset, n));
      offset += n;
    },
  });
}

export function allBytes(media: MediaBody): Uint8Array {
  return media.chunk(0, media.size);
}
