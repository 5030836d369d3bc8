// What a file is, by its first bytes (magic numbers), never by its name or the type a client
// declared: the type we store and serve it with comes from here.

export type MediaKind = "image" | "video" | "audio";

export interface Sniffed {
  kind: MediaKind;
  type: string;
  ext: string;
}

/** Bytes a caller should have before asking (fewer only when the file is shorter). */
export const SNIFF_BYTES = 16;

const ascii = (b: Uint8Array, from: number, to: number): string => String.fromCharCode(...b.subarray(from, to));

const IMAGES: { type: string; ext: string; test: (b: Uint8Array) => boolean }[] = [
  { type: "image/png", ext: "png", test: (b) => b[0] === 0x89 && ascii(b, 1, 8) === "PNG\r\n\x1a\n" },
  { type: "image/jpeg", ext: "jpg", test: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { type: "image/webp", ext: "webp", test: (b) => ascii(b, 0, 4) === "RIFF" && ascii(b, 8, 12) === "WEBP" },
];

/** The image types POST /v1/uploads forwards to WeShop (field `image`). */
export function sniffImage(head: Uint8Array): { type: string; ext: string } | undefined {
  const kind = IMAGES.find((k) => k.test(head));
  return kind ? { type: kind.type, ext: kind.ext } : undefined;
}

/** ISO base media (MP4, QuickTime, M4A): a box size, then `ftyp` and the major brand. */
function isoMedia(b: Uint8Array): Sniffed | undefined {
  const box = ascii(b, 4, 8);
  if (box !== "ftyp") {
    // old QuickTime files open with a movie atom instead of `ftyp`
    return ["moov", "mdat", "wide", "free", "skip", "pnot"].includes(box) && b.length >= 8
      ? { kind: "video", type: "video/quicktime", ext: "mov" }
      : undefined;
  }
  const brand = ascii(b, 8, 12);
  if (brand === "qt  ") return { kind: "video", type: "video/quicktime", ext: "mov" };
  if (brand === "M4A " || brand === "M4B " || brand === "M4P ") return { kind: "audio", type: "audio/mp4", ext: "m4a" };
  return { kind: "video", type: "video/mp4", ext: "mp4" };
}

/** MPEG audio: an ID3 tag, an MP3 frame sync (layer III), or an AAC ADTS header. */
function mpegAudio(b: Uint8Array): Sniffed | undefined {
  if (ascii(b, 0, 3) === "ID3") return { kind: "audio", type: "audio/mpeg", ext: "mp3" };
  if (b[0] !== 0xff || b[1] === undefined || (b[1] & 0xe0) !== 0xe0) return undefined;
  const layer = (b[1] >> 1) & 0x03;
  if (layer === 0x01) return { kind: "audio", type: "audio/mpeg", ext: "mp3" };
  if (layer === 0x00 && (b[1] & 0xf0) === 0xf0) return { kind: "audio", type: "audio/aac", ext: "aac" };
  return undefined;
}

/** An image (PNG, JPEG, WebP), a video (MP4, WebM, QuickTime) or audio (MP3, WAV, M4A/AAC); else undefined. */
export function sniffMedia(head: Uint8Array): Sniffed | undefined {
  const image = sniffImage(head);
  if (image) return { kind: "image", ...image };
  if (head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3)
    return { kind: "video", type: "video/webm", ext: "webm" };
  if (ascii(head, 0, 4) === "RIFF" && ascii(head, 8, 12) === "WAVE")
    return { kind: "audio", type: "audio/wav", ext: "wav" };
  return isoMedia(head) ?? mpegAudio(head);
}
