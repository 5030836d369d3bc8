// Benchmark-only worker: the most direct way to put a provider's bytes into R2 (fetch, then
// put through a FixedLengthStream), the baseline the media copy is compared with. /copy runs the
// app's own copyToR2 in this same lean isolate, so the bench can tell what our copy code costs
// from what the app around it (the job's Durable Object, its polls and records) costs.
import { copyToR2 } from "../../../src/media/copy.ts";

interface BaselineEnv {
  MEDIA: R2Bucket;
}

export default {
  async fetch(request: Request, env: BaselineEnv): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/healthz") return new Response("ok");
    const source = url.searchParams.get("source");
    const size = Number(url.searchParams.get("size"));
    if (!source || !Number.isSafeInteger(size)) return new Response("source and size required", { status: 400 });
    const started = Date.now();
    if (url.pathname === "/copy") {
      const key = `copy/${crypto.randomUUID()}`;
      const result = await copyToR2({
        bucket: env.MEDIA,
        url: source,
        key,
        maxBytes: 2 ** 40,
        timeoutMs: 3_600_000,
        urlPolicy: { allowLoopbackHttp: true },
      });
      return Response.json({
        ms: Date.now() - started,
        size: result.ok ? result.size : undefined,
        error: result.ok ? undefined : result.code,
      });
    }
    const res = await fetch(source, { headers: { "Accept-Encoding": "identity" } });
    if (!res.body) return new Response("no body", { status: 502 });
    const object = await env.MEDIA.put(
      `baseline/${crypto.randomUUID()}`,
      res.body.pipeThrough(new FixedLengthStream(size)),
    );
    return Response.json({ ms: Date.now() - started, size: object?.size });
  },
} satisfies ExportedHandler<BaselineEnv>;
