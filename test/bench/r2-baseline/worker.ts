// Benchmark-only worker: the most direct way to put a provider's bytes into R2 (fetch, then
// put through a FixedLengthStream), the baseline the media copy is compared with.
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
    const res = await fetch(source, { headers: { "Accept-Encoding": "identity" } });
    if (!res.body) return new Response("no body", { status: 502 });
    const object = await env.MEDIA.put(`baseline/${crypto.randomUUID()}`, res.body.pipeThrough(new FixedLengthStream(size)));
    return Response.json({ ms: Date.now() - started, size: object?.size });
  },
} satisfies ExportedHandler<BaselineEnv>;
