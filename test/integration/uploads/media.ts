// Sample files for the `file` field (their first bytes are what counts) and a hand-streamed
// multipart body with one `file` part, for sizes too large to build in memory.
import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { BASE, KEY_A } from "../../support/harness.ts";
import { PNG } from "./support.ts";

const enc = new TextEncoder();
const bytes = (...parts: (string | number[])[]) => {
  const chunks = parts.map((p) => (typeof p === "string" ? enc.encode(p) : Uint8Array.from(p)));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0) + 64);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
};

/** One sample per recognised format: the first bytes of such a file, padded. */
export const SAMPLES = [
  { name: "PNG", bytes: PNG, kind: "image", contentType: "image/png" },
  {
    name: "JPEG",
    bytes: bytes([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10], "JFIF"),
    kind: "image",
    contentType: "image/jpeg",
  },
  { name: "WebP", bytes: bytes("RIFF", [0x24, 0, 0, 0], "WEBPVP8 "), kind: "image", contentType: "image/webp" },
  {
    name: "MP4",
    bytes: bytes([0, 0, 0, 0x18], "ftypisom", [0, 0, 2, 0], "isomiso2"),
    kind: "video",
    contentType: "video/mp4",
  },
  {
    name: "WebM",
    bytes: bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81]),
    kind: "video",
    contentType: "video/webm",
  },
  {
    name: "QuickTime",
    bytes: bytes([0, 0, 0, 0x14], "ftypqt  ", [0, 0, 2, 0], "qt  "),
    kind: "video",
    contentType: "video/quicktime",
  },
  { name: "MP3 (ID3)", bytes: bytes("ID3", [4, 0, 0, 0, 0, 0, 0]), kind: "audio", contentType: "audio/mpeg" },
  { name: "MP3 (frame)", bytes: bytes([0xff, 0xfb, 0x90, 0x64]), kind: "audio", contentType: "audio/mpeg" },
  { name: "WAV", bytes: bytes("RIFF", [0x24, 0, 0, 0], "WAVEfmt "), kind: "audio", contentType: "audio/wav" },
  {
    name: "M4A",
    bytes: bytes([0, 0, 0, 0x20], "ftypM4A ", [0, 0, 0, 0], "M4A mp42isom"),
    kind: "audio",
    contentType: "audio/mp4",
  },
  {
    name: "AAC (ADTS)",
    bytes: bytes([0xff, 0xf1, 0x50, 0x80, 0x02, 0x1f, 0xfc]),
    kind: "audio",
    contentType: "audio/aac",
  },
] as const;

export const MP4 = SAMPLES.find((s) => s.name === "MP4")!.bytes;
export const MP3 = SAMPLES.find((s) => s.name === "MP3 (ID3)")!.bytes;

export const fileForm = (data: Uint8Array, name = "upload.bin", type = "application/octet-stream") => {
  const form = new FormData();
  form.append("file", new File([data], name, { type }));
  return form;
};

/** POSTs `body` to /v1/uploads through the worker entry, as `key`. */
export function postUpload(body: BodyInit, key = KEY_A, headers: Record<string, string> = {}): Promise<Response> {
  const init = { method: "POST", headers: { Authorization: `Bearer ${key}`, ...headers }, body, duplex: "half" };
  return exports.default.fetch(new Request(`${BASE}/v1/uploads`, init as RequestInit));
}

/**
 * A multipart body with one `file` part of `size` bytes starting with `head`, produced lazily in
 * 1 MiB chunks; `pulled` is how much of it has been asked for, and `sha256` its digest once done.
 */
export function streamedFile(size: number, head: Uint8Array) {
  const boundary = "seedrun-file-boundary";
  const opening = enc.encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.mp4"\r\nContent-Type: video/mp4\r\n\r\n`,
  );
  const closing = enc.encode(`\r\n--${boundary}--\r\n`);
  const chunk = new Uint8Array(1024 * 1024).fill(7);
  const digest = new crypto.DigestStream("SHA-256");
  const hashing = digest.getWriter();
  let sent = 0;
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (sent === 0) {
        const first = chunk.slice();
        first.set(head.subarray(0, Math.min(head.length, size)));
        const piece = first.subarray(0, Math.min(chunk.length, size));
        controller.enqueue(opening);
        controller.enqueue(piece);
        await hashing.write(piece);
        sent = piece.length;
        pulled += opening.length + piece.length;
      } else if (sent < size) {
        const piece = chunk.subarray(0, Math.min(chunk.length, size - sent));
        controller.enqueue(piece.slice());
        await hashing.write(piece);
        sent += piece.length;
        pulled += piece.length;
      } else {
        controller.enqueue(closing);
        controller.close();
      }
    },
  });
  const sha256 = async () => {
    await hashing.close();
    return [...new Uint8Array(await digest.digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
  };
  return { body, contentType: `multipart/form-data; boundary=${boundary}`, pulled: () => pulled, sha256 };
}

/** Keys stored under uploads/ in the MEDIA bucket. */
export async function storedUploads(): Promise<string[]> {
  const listed = await env.MEDIA.list({ prefix: "uploads/" });
  return listed.objects.map((o) => o.key);
}

export async function sha256Hex(data: Uint8Array): Promise<string> {
  return [...new Uint8Array(await crypto.subtle.digest("SHA-256", data))]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");
}
