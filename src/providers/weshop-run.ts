// The body and Idempotency-Key of a WeShop `POST /agent/runs`, in the official CLI's wire form
// (weshop-cli 0.2.22): images in `input.originalImage` (the first) and `input.images` and
// `params.images`; reference videos/audios in `input` and `params`; `safeGenerate` top-level.

const urlList = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

export function weshopRunBody(agent: string, params: Record<string, unknown>): Record<string, unknown> {
  // safeGenerate is the run's switch, not the agent's: it goes top-level
  const { safeGenerate, ...runParams } = params;
  const images = urlList(params.images);
  const videos = urlList(params.videos);
  const audios = urlList(params.audios);
  const input = {
    ...(images.length > 0 ? { originalImage: images[0], images } : {}),
    ...(videos.length > 0 ? { videos } : {}),
    ...(audios.length > 0 ? { audios } : {}),
  };
  return {
    agent: { name: agent, version: "v1.0" },
    input,
    params: runParams,
    // jobs stored before the switch existed have none: the CLI's default
    safeGenerate: safeGenerate === "off" ? "off" : "on",
  };
}

// A fixed namespace for seedrun's run keys (a random UUID chosen once; never change it, or a job
// resubmitted across the change would send a new key).
const NAMESPACE = "3f0c2a4e-9b7d-4c1e-8a5f-6d2b9e7c4a10";

/**
 * The run's Idempotency-Key: a UUID (version 5, RFC 9562) derived from the job id, so every
 * submit of one job, even after a crash, sends the same key and WeShop starts one task.
 */
export async function weshopRunKey(jobId: string): Promise<string> {
  const ns = Uint8Array.from(
    NAMESPACE.replace(/-/g, "")
      .match(/../g)!
      .map((h) => Number.parseInt(h, 16)),
  );
  const name = new TextEncoder().encode(jobId);
  const data = new Uint8Array(ns.length + name.length);
  data.set(ns);
  data.set(name, ns.length);
  const bytes = new Uint8Array(await crypto.subtle.digest("SHA-1", data)).slice(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
