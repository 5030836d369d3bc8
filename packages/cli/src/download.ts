// Downloads a job's stored outputs from their signed links into a folder, hashing while writing,
// and checks each file's size and sha256 against the job's; a file that does not match is removed.
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { Writable } from "node:stream";
import type { Job } from "@seedrun/client";

export interface Downloaded {
  path: string;
  size: number;
  sha256: string;
  contentType: string;
}

const EXTENSIONS: Record<string, string> = {
  "image/png": "png",
  "image/jpeg": "jpg",
  "image/webp": "webp",
  "video/mp4": "mp4",
  "video/webm": "webm",
  "video/quicktime": "mov",
  "audio/mpeg": "mp3",
  "audio/wav": "wav",
};

export class DownloadError extends Error {}

type Output = Job["outputs"][number];

export function storedOutputs(job: Job): Output[] {
  return job.outputs.filter((o) => o.status === "stored" && o.url);
}

export async function downloadOutputs(
  jobs: Job[],
  dir: string,
  onBytes: (received: number) => void,
): Promise<Downloaded[]> {
  await mkdir(dir, { recursive: true });
  const files: Downloaded[] = [];
  let received = 0;
  for (const job of jobs) {
    for (const output of storedOutputs(job)) {
      const ext = EXTENSIONS[(output.contentType ?? "").split(";")[0]!.trim()] ?? "bin";
      const path = resolve(join(dir, `${job.id}-${output.index}.${ext}`));
      files.push(
        await downloadOne(output, path, (n) => {
          received += n;
          onBytes(received);
        }),
      );
    }
  }
  return files;
}

async function downloadOne(output: Output, path: string, onChunk: (bytes: number) => void): Promise<Downloaded> {
  const res = await fetch(output.url!);
  if (!res.ok || !res.body) throw new DownloadError(`${output.url}: HTTP ${res.status}`);
  const hash = createHash("sha256");
  let size = 0;
  const file = createWriteStream(path);
  const sink = Writable.toWeb(file);
  await res.body
    .pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          hash.update(chunk);
          size += chunk.byteLength;
          onChunk(chunk.byteLength);
          controller.enqueue(chunk);
        },
      }),
    )
    .pipeTo(sink);
  const sha256 = hash.digest("hex");
  const expected = (output as { sha256?: string | null }).sha256;
  if (size !== output.size || (expected && expected !== sha256)) {
    await rm(path, { force: true });
    throw new DownloadError(
      `${path}: got ${size} bytes with sha256 ${sha256}, the job says ${output.size} bytes${expected ? ` with sha256 ${expected}` : ""}; the file was removed`,
    );
  }
  return { path, size, sha256, contentType: output.contentType ?? "application/octet-stream" };
}
