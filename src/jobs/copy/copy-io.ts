// The copy step's I/O: one provider output streamed into R2 under the job's key. What the
// answer means for the job (stored, retried, the job's end) is copy.ts's.
import type { Config } from "../../config.ts";
import { copyToR2, extensionFor } from "../../media/copy.ts";
import { MAX_MEDIA_BYTES } from "../machine/policies.ts";
import { tick } from "../machine/transitions.ts";
import type { JobRecord, OutputRecord } from "../record.ts";
import { afterCopy, type CopyOutcome } from "./copy.ts";

/** Copies output `index` and returns the job its answer leads to. */
export async function copyStep(
  env: Env,
  job: JobRecord,
  index: number,
  config: Config,
  signal: AbortSignal,
): Promise<JobRecord> {
  const output = job.outputs.find((o) => o.index === index)!;
  return afterCopy(job, index, await copyOutput(env, job, output, config, signal), tick());
}

export async function copyOutput(
  env: Env,
  job: JobRecord,
  output: OutputRecord,
  config: Config,
  signal: AbortSignal,
): Promise<CopyOutcome> {
  const ext = output.sourceContentType
    ? extensionFor(output.sourceContentType)
    : guessExtension(output.sourceUrl ?? "", output.kind, job.params);
  const key = `jobs/${job.id}/${output.index}.${ext}`;
  const result = await copyToR2({
    bucket: env.MEDIA,
    url: output.sourceUrl ?? "",
    key,
    expectedSize: output.sourceSize,
    contentTypeHint: output.sourceContentType,
    maxBytes: MAX_MEDIA_BYTES[output.kind],
    timeoutMs: config.mediaTimeoutMs,
    urlPolicy: { allowLoopbackHttp: config.devMode },
    signal,
  });
  if (!result.ok) return result;
  return { ok: true, key, size: result.size, sha256: result.sha256, contentType: result.contentType };
}

const KNOWN_EXTENSIONS = new Set(["mp4", "webm", "mov", "png", "jpg", "jpeg", "webp"]);

/** Without a content type from the provider: the URL's extension if it is a known one, else the model's default. */
function guessExtension(url: string, kind: "video" | "image", params: Record<string, unknown>): string {
  let path = "";
  try {
    path = new URL(url).pathname;
  } catch {
    // fall through to the model's default
  }
  const ext = /\.([a-z0-9]{2,5})$/i.exec(path)?.[1]?.toLowerCase();
  if (ext && KNOWN_EXTENSIONS.has(ext)) return ext === "jpeg" ? "jpg" : ext;
  if (kind === "video") return "mp4";
  return params.outputFormat === "png" ? "png" : "jpg";
}
