// Shared by the client and CLI tests: the stack's address, one client per key, simulator faults,
// and whether the server takes uploads in the `file` field yet (contract: "Uploads of any media").
import { inject } from "vitest";
import { Seedrun } from "../../packages/client/src/index.ts";

export const stack = () => inject("stack");

/** One valid job per model, as README and `npm start` show them. */
export const MODEL_JOBS = [
  { model: "weshop/seedream", params: { textDescription: "a red fox in fresh snow" } },
  {
    model: "weshop/seedance",
    params: { textDescription: "the fox runs", images: ["https://images.example.com/fox.png"] },
  },
  { model: "weshop/seedance-25", params: { textDescription: "the fox runs through the forest", duration: "5s" } },
  { model: "wiro/ByteDance/text-to-video-seedance-v1", params: { prompt: "a bicycle at dawn" } },
] as const;

export function client(apiKey: string, options: { baseUrl?: string; fetch?: typeof fetch } = {}): Seedrun {
  return new Seedrun({
    baseUrl: options.baseUrl ?? stack().worker,
    apiKey,
    maxRetryDelayMs: 2000,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

export async function injectFault(fault: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${stack().sim}/__sim/faults`, { method: "POST", body: JSON.stringify(fault) });
  if (!res.ok) throw new Error(`fault refused: ${await res.text()}`);
}

export async function clearFaults(): Promise<void> {
  await fetch(`${stack().sim}/__sim/faults`, { method: "DELETE" });
}

/** True once POST /v1/uploads documents the `file` field (the uploads work of issue 24 item 3). */
export async function serverTakesFileUploads(): Promise<boolean> {
  const doc = (await (await fetch(`${stack().worker}/openapi.json`)).json()) as {
    paths: Record<string, { post?: unknown }>;
  };
  return JSON.stringify(doc.paths["/v1/uploads"]?.post ?? {}).includes('"file"');
}
