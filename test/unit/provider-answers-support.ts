// Canned provider answers for the provider-answers tests: a fetch that answers every request the
// same way, WeShop and Wiro clients wired to it, and the error or value an outcome carries.
import type { FetchFn } from "../../src/providers/http.ts";
import type { Outcome, ProviderError } from "../../src/providers/types.ts";
import { weshopProvider } from "../../src/providers/weshop.ts";
import { wiroProvider } from "../../src/providers/wiro.ts";

export const endpoint = (baseUrl: string) => ({ baseUrl, loopback: true });

/** A fetch that answers every request with `body` and `status`, noting each request. */
export function canned(body: unknown, status = 200, headers: Record<string, string> = {}) {
  const seen: Request[] = [];
  const fetch: FetchFn = async (input, init) => {
    seen.push(new Request(input as RequestInfo, init));
    return new Response(typeof body === "string" ? body : JSON.stringify(body), {
      status,
      headers: { "content-type": "application/json", ...headers },
    });
  };
  return { fetch, seen };
}

export const errorOf = (outcome: Outcome<unknown>): ProviderError => {
  if (outcome.ok) throw new Error(`expected an error, got ${JSON.stringify(outcome.value)}`);
  return outcome.error;
};
export const valueIn = <T>(outcome: Outcome<T>): T => {
  if (!outcome.ok) throw new Error(`expected a value, got ${JSON.stringify(outcome.error)}`);
  return outcome.value;
};

export function weshop(body: unknown, status = 200, kind: "video" | "image" = "image") {
  const { fetch, seen } = canned(body, status);
  const provider = weshopProvider({
    endpoint: { ...endpoint("http://127.0.0.1:1/weshop"), apiKey: "ws-key" },
    timeoutMs: 1000,
    fetch,
    agent: kind === "video" ? "seedance" : "seedream",
    kind,
  });
  return {
    provider,
    seen,
    submit: () => provider.submit({ jobId: "job_1", params: { textDescription: "x" } }),
    poll: () => provider.poll({ taskId: "exe_1" }),
  };
}

/** `secret: null` is an API-key-only project. */
export function wiro(body: unknown, status = 200, secret: string | null = "wiro-secret") {
  const { fetch, seen } = canned(body, status);
  const provider = wiroProvider({
    endpoint: {
      ...endpoint("http://127.0.0.1:1/wiro/v1"),
      apiKey: "wiro-key",
      ...(secret === null ? {} : { apiSecret: secret }),
    },
    timeoutMs: 1000,
    fetch,
    model: "ByteDance/text-to-video-seedance-v1",
  });
  return {
    seen,
    submit: () => provider.submit({ jobId: "job_1", params: { prompt: "x" } }),
    poll: () => provider.poll({ taskId: "1", token: "tok" }),
  };
}
export const wiroError = (code: number, message = "m") => ({ result: false, errors: [{ code, message }] });
