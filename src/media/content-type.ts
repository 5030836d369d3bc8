// Picks the Content-Type a stored output gets and the file extension its key uses.
const MEDIA_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/;
const FALLBACK = "application/octet-stream";

const EXTENSIONS: Record<string, string> = {
  "video/mp4": "mp4",
  "video/webm": "webm",
  // Seedance 2.5 can be asked for outputFormat mov
  "video/quicktime": "mov",
  "image/png": "png",
  "image/jpeg": "jpg",
  "image/webp": "webp",
};

/** "Image/PNG; charset=x" → "image/png"; null if it is not a well-formed type/subtype. */
export function essence(raw: string | null | undefined): string | null {
  const value = raw?.split(";")[0]?.trim().toLowerCase() ?? "";
  return MEDIA_TYPE.test(value) ? value : null;
}

/** The response's type if it is an image or video (CDNs often say octet-stream), else the provider's hint. */
export function pickContentType(responseType: string | null, hint: string | undefined): string {
  const fromResponse = essence(responseType);
  if (fromResponse !== null && (fromResponse.startsWith("image/") || fromResponse.startsWith("video/"))) {
    return fromResponse;
  }
  return essence(hint) ?? FALLBACK;
}

export function extensionFor(contentType: string): string {
  return EXTENSIONS[essence(contentType) ?? ""] ?? "bin";
}
