// Serves /files/* (task outputs, uploaded assets, big synthetic videos) and applies the body-shaping media faults.
import type { Hono } from "hono";
import { guard } from "./guard.ts";
import {
  allBytes,
  bigMp4,
  bytesMedia,
  jpegImage,
  type MediaBody,
  mediaStream,
  movVideo,
  mp4Video,
  pngImage,
} from "./media.ts";
import type { Ctx } from "./state.ts";
import type { FaultKind } from "./types.ts";
import { weshopMedia } from "./weshop.ts";
import { wiroMedia } from "./wiro.ts";

/** Bodies up to this size are sent as one buffer; bigger ones are streamed so the sim never holds them whole. */
const BUFFER_LIMIT = 1 << 20;
const MAX_BIG = 2 ** 40;
const BODY_FAULTS: ReadonlySet<FaultKind> = new Set(["truncated", "wrong_length", "chunked", "gzip"]);

export function resolveMedia(ctx: Ctx, url: URL): MediaBody | undefined {
  const parts = url.pathname.split("/").filter(Boolean);
  if (parts[0] !== "files" || parts.length < 3) return undefined;
  const [, area, a, b] = parts;
  if (area === "big" && parts.length === 3) {
    const m = /^(\d+)\.mp4$/.exec(a ?? "");
    const size = m ? Number(m[1]) : NaN;
    return Number.isSafeInteger(size) && size <= MAX_BIG ? bigMp4(size) : undefined;
  }
  if (area === "assets" && parts.length === 3) {
    const asset = ctx.assets.get(a ?? "");
    return asset ? bytesMedia(asset.contentType, asset.bytes) : undefined;
  }
  if (area === "weshop" && parts.length === 4) {
    const found = weshopMedia(ctx, a ?? "", b ?? "");
    if (!found) return undefined;
    if (found.kind === "png") return bytesMedia("image/png", pngImage(found.label));
    if (found.kind === "jpeg") return bytesMedia("image/jpeg", jpegImage(found.label));
    if (found.kind === "mov") return bytesMedia("video/quicktime", movVideo(found.label));
    return bytesMedia("video/mp4", mp4Video(found.label));
  }
  if (area === "wiro" && parts.length === 4) {
    const label = wiroMedia(ctx, a ?? "", b ?? "");
    return label ? bytesMedia("video/mp4", mp4Video(label)) : undefined;
  }
  return undefined;
}

async function serveMedia(media: MediaBody, fault: FaultKind | undefined, chunked: boolean): Promise<Response> {
  const headers = new Headers({ "content-type": media.contentType, "cache-control": "no-store" });
  const small = media.size <= BUFFER_LIMIT && !media.synthetic;
  const whole = () => (small ? allBytes(media) : mediaStream(media));
  switch (fault) {
    case "truncated":
      // "connection: close" makes a real HTTP server drop the socket, which is how a cut-off download looks on the wire.
      headers.set("content-length", String(media.size));
      headers.set("connection", "close");
      return new Response(mediaStream(media, Math.floor(media.size / 2)), { headers });
    case "wrong_length":
      headers.set("content-length", String(media.size + 1024));
      headers.set("connection", "close");
      return new Response(whole(), { headers });
    case "gzip": {
      headers.set("content-encoding", "gzip");
      const gz = mediaStream(media).pipeThrough(new CompressionStream("gzip"));
      if (chunked || !small) return new Response(gz, { headers });
      const bytes = new Uint8Array(await new Response(gz).arrayBuffer());
      headers.set("content-length", String(bytes.length));
      return new Response(bytes, { headers });
    }
    default:
      break;
  }
  if (chunked || fault === "chunked") return new Response(mediaStream(media), { headers });
  headers.set("content-length", String(media.size));
  return new Response(whole(), { headers });
}

export function registerFiles(app: Hono, ctx: Ctx): void {
  app.get("/files/*", guard(ctx, "media", "media"), async (c) => {
    const url = new URL(c.req.url);
    const media = resolveMedia(ctx, url);
    if (!media) return new Response("Not Found", { status: 404, headers: { "content-type": "text/plain" } });
    const fault = ctx.faults.take("media", (k) => BODY_FAULTS.has(k));
    return serveMedia(media, fault?.kind, url.searchParams.get("chunked") === "1");
  });
}
