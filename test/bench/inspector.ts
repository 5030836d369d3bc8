// The worker isolate's own memory, read over the V8 inspector that `wrangler dev --inspector-port`
// exposes (Chrome DevTools protocol on a WebSocket): `Runtime.getHeapUsage` gives the JS heap
// (usedSize), the embedder's objects (embedderHeapUsedSize) and ArrayBuffer backing stores
// (backingStorageSize, where stream chunks and part buffers live). Durable Objects of the worker
// run in that same isolate locally, so a copy inside the JobObject is counted; the local R2 store
// is another isolate and is not.

interface HeapUsage {
  usedSize: number;
  embedderHeapUsedSize?: number;
  backingStorageSize?: number;
}

export interface HeapSample {
  /** Live bytes right after a full GC before the work started. */
  baseline: number;
  /** Highest total seen while sampling (live and not yet collected garbage). */
  peak: number;
  /** Highest total right after a forced full GC: what the work actually holds. */
  peakLive: number;
  samples: number;
}

const total = (u: HeapUsage) => u.usedSize + (u.embedderHeapUsedSize ?? 0) + (u.backingStorageSize ?? 0);

export class IsolateHeap {
  #ws: WebSocket;
  // far from the ids wrangler's inspector proxy uses for its own messages on this connection (small, and 100000001 on)
  #next = 2_000_000_000;
  #pending = new Map<number, (result: unknown) => void>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #sample: HeapSample | undefined;
  #busy = false;
  /** The worker's console output (each call's first argument), as it arrives. */
  readonly logs: { at: number; text: string }[] = [];

  readonly #poke: () => Promise<unknown>;

  private constructor(ws: WebSocket, poke: () => Promise<unknown>) {
    this.#ws = ws;
    this.#poke = poke;
    ws.addEventListener("message", (event) => {
      const message = JSON.parse(String(event.data)) as {
        id?: number;
        method?: string;
        params?: { args?: { value?: unknown }[] };
        result?: unknown;
        error?: { message: string };
      };
      if (message.method === "Runtime.consoleAPICalled") {
        const first = message.params?.args?.[0]?.value;
        if (typeof first === "string") this.logs.push({ at: Date.now(), text: first });
        return;
      }
      const resolve = message.id === undefined ? undefined : this.#pending.get(message.id);
      if (resolve && message.id !== undefined) {
        this.#pending.delete(message.id);
        resolve(message.error ? Promise.reject(new Error(message.error.message)) : message.result);
      }
    });
  }

  /**
   * Connects to the inspector wrangler serves on `port` (it accepts only local Origins). `pokeUrl`
   * is any cheap route of the worker: workerd handles a forced GC only while the isolate runs
   * something, so an idle isolate is sent a request until the GC has answered.
   */
  static async connect(port: number, pokeUrl: string): Promise<IsolateHeap> {
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as { webSocketDebuggerUrl: string }[];
    const url = targets[0]?.webSocketDebuggerUrl;
    if (!url) throw new Error("the inspector lists no worker");
    // Node's WebSocket (undici) takes headers as a second argument; wrangler refuses a missing Origin
    const ws = new WebSocket(url, { headers: { Origin: "http://localhost" } } as unknown as string[]);
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener("open", () => resolve(), { once: true });
      ws.addEventListener("error", () => reject(new Error(`could not open ${url}`)), { once: true });
    });
    const poke = () =>
      fetch(pokeUrl).then(
        (r) => r.arrayBuffer(),
        () => undefined,
      );
    const inspector = new IsolateHeap(ws, poke);
    await inspector.call("Runtime.enable");
    return inspector;
  }

  /** One protocol call; rejects if no answer comes within `timeoutMs` (a busy or detached isolate). */
  call<T>(method: string, params: Record<string, unknown> = {}, timeoutMs = 10_000): Promise<T> {
    const id = ++this.#next;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`${method}: no answer from the inspector in ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, (result) => {
        clearTimeout(timer);
        resolve(result as T);
      });
      this.#ws.send(JSON.stringify({ id, method, params }));
    });
  }

  async usage(gc: boolean): Promise<number> {
    if (gc) {
      let done = false;
      const collected = this.call("HeapProfiler.collectGarbage").finally(() => (done = true));
      while (!done) {
        await Promise.race([collected, this.#poke().then(() => new Promise((r) => setTimeout(r, 100)))]);
      }
      await collected;
    }
    return total(await this.call<HeapUsage>("Runtime.getHeapUsage"));
  }

  /** Starts sampling: every `everyMs` the total, and every `gcEveryMs` the total after a forced GC. */
  async start(everyMs = 100, gcEveryMs = 1000): Promise<void> {
    const baseline = await this.usage(true);
    const sample: HeapSample = { baseline, peak: baseline, peakLive: baseline, samples: 0 };
    this.#sample = sample;
    let lastGc = Date.now();
    this.#timer = setInterval(() => {
      if (this.#busy) return;
      this.#busy = true;
      const gc = Date.now() - lastGc >= gcEveryMs;
      const before = gc ? this.usage(false).then((n) => (sample.peak = Math.max(sample.peak, n))) : Promise.resolve(0);
      before
        .then(() => this.usage(gc))
        .then((n) => {
          sample.samples++;
          sample.peak = Math.max(sample.peak, n);
          if (gc) {
            sample.peakLive = Math.max(sample.peakLive, n);
            lastGc = Date.now();
          }
        })
        .catch(() => undefined)
        .finally(() => (this.#busy = false));
    }, everyMs);
  }

  stop(): HeapSample {
    clearInterval(this.#timer);
    const sample = this.#sample;
    if (!sample) throw new Error("not started");
    return sample;
  }

  close(): void {
    clearInterval(this.#timer);
    this.#ws.close();
  }
}
