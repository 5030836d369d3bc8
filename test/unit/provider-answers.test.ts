// How the provider clients classify each answer, per endpoint, against canned provider answers.
import { describe, expect, it } from "vitest";
import type { FetchFn } from "../../src/providers/http.ts";
import type { TaskStatus } from "../../src/providers/types.ts";
import { uploadWeshopImage } from "../../src/providers/weshop-assets.ts";
import { wiroProvider } from "../../src/providers/wiro.ts";
import { canned, endpoint, errorOf, valueIn, weshop, wiro, wiroError } from "./provider-answers-support.ts";

describe("WeShop answers", () => {
  const older = (code: number | string) => ({ code, msg: "m" });
  const newer = (code: number | string) => ({ success: false, error: { code, message: "m" } });

  it.each([
    ["40005", true],
    ["50001", false],
    ["50003", false],
    ["50006", false],
  ] as const)(
    "code %s with HTTP 200 is retryable on submit and poll, in either envelope, as number or string (pushback: %s)",
    async (code, pushback) => {
      for (const body of [older(Number(code)), older(code), newer(Number(code)), newer(code)])
        for (const call of ["submit", "poll"] as const) {
          const error = errorOf(await weshop(body)[call]());
          expect(error).toMatchObject({ retryable: true, code, httpStatus: 200 });
          expect(error.pushback === true).toBe(pushback);
          expect(error.fatal).toBeUndefined();
        }
    },
  );

  it("the upload endpoint retries them too", async () => {
    for (const code of [40005, 50002]) {
      const { fetch } = canned(older(code));
      const file = { bytes: new Uint8Array([0xff, 0xd8, 0xff]), filename: "a.jpg", contentType: "image/jpeg" };
      const outcome = await uploadWeshopImage(
        { ...endpoint("http://127.0.0.1:1/weshop"), apiKey: "ws-key" },
        file,
        1000,
        fetch,
      );
      expect(errorOf(outcome)).toMatchObject({ retryable: true, code: String(code) });
    }
  });

  it("HTTP 401 with a body that is not JSON is still a credentials failure", async () => {
    expect(errorOf(await weshop("<html>401 Authorization Required</html>", 401).poll())).toMatchObject({
      retryable: false,
      fatal: true,
      code: "provider_auth_failed",
    });
    expect(errorOf(await wiro("Unauthorized", 401).poll())).toMatchObject({
      retryable: false,
      fatal: true,
      code: "provider_auth_failed",
    });
  });

  it("numbers next to that range are not taken for system errors", async () => {
    for (const code of [50000, 50007, 40004])
      expect(errorOf(await weshop(older(code)).submit())).toMatchObject({ retryable: false, code: String(code) });
  });

  it("HTTP 429 is pushback; a refusal with retryable:false is final but not fatal; HTTP 401 is a credentials failure", async () => {
    expect(errorOf(await weshop(newer("RATE_LIMITED"), 429).submit())).toMatchObject({
      retryable: true,
      pushback: true,
    });
    const final = errorOf(
      await weshop(
        { success: false, error: { code: "INSUFFICIENT_POWER", message: "m", retryable: false } },
        400,
      ).submit(),
    );
    expect(final).toMatchObject({ retryable: false, code: "INSUFFICIENT_POWER" });
    expect(final.fatal).toBeUndefined();
    for (const call of ["submit", "poll"] as const) {
      const auth = errorOf(await weshop(newer("UNAUTHORIZED"), 401)[call]());
      expect(auth).toMatchObject({ retryable: false, fatal: true, code: "provider_auth_failed", httpStatus: 401 });
      expect(auth.message).toContain("WESHOP_API_KEY");
      expect(auth.message).not.toContain("ws-key");
    }
  });

  const run = (status: string, result: unknown[] = [], extra: Record<string, unknown> = {}) => ({
    success: true,
    data: { executions: [{ executionId: "exe_1", status, result, ...extra }] },
  });

  it.each(["Cancelled", "Canceled"])(
    "run state %s is a definite end: canceled, with WeShop's word and reason",
    async (word) => {
      const status = valueIn(await weshop(run(word, [], { error: "stopped by the operator" })).poll());
      expect(status).toEqual({
        state: "canceled",
        providerStatus: word,
        message: `WeShop reported the run as ${word}: stopped by the operator`,
      });
    },
  );

  it("videoPoster and lastFrame come with their video; an unusable one is left out; images never carry them", async () => {
    const result = [
      {
        status: "Success",
        video: "https://cdn/0.mp4",
        videoPoster: "https://cdn/0.jpg",
        lastFrame: "https://cdn/0-last.png",
      },
      { status: "Success", video: "https://cdn/1.mp4", videoPoster: "", lastFrame: { url: "https://cdn/x" } },
      { status: "Success", video: "https://cdn/2.mp4", videoPoster: "javascript:alert(1)" },
    ];
    const status = valueIn(await weshop(run("Success", result), 200, "video").poll()) as Extract<
      TaskStatus,
      { state: "succeeded" }
    >;
    expect(status.outputs).toEqual([
      { ok: true, url: "https://cdn/0.mp4", poster: "https://cdn/0.jpg", lastFrame: "https://cdn/0-last.png" },
      { ok: true, url: "https://cdn/1.mp4" },
      { ok: true, url: "https://cdn/2.mp4" },
    ]);
    const image = valueIn(
      await weshop(
        run("Success", [{ status: "Success", image: "https://cdn/0.png", videoPoster: "https://cdn/p.jpg" }]),
      ).poll(),
    );
    expect(image).toEqual({
      state: "succeeded",
      providerStatus: "Success",
      outputs: [{ ok: true, url: "https://cdn/0.png" }],
    });
  });
});

describe("Wiro answers", () => {
  it("code 0 and code 1 are transient on a poll (a server error; 'There is no task yet.' right after Run) but final on Run", async () => {
    for (const [code, message] of [
      [0, "Internal server error"],
      [1, "There is no task yet."],
    ] as const) {
      expect(errorOf(await wiro(wiroError(code, message)).poll())).toMatchObject({
        retryable: true,
        code: String(code),
        message,
      });
      expect(errorOf(await wiro(wiroError(code, message)).submit())).toMatchObject({
        retryable: false,
        code: String(code),
      });
    }
  });

  it("a code 0 server error on Task/Kill is asked again, not the end of the stop (the task would keep billing)", async () => {
    const fetch: FetchFn = async (input) => {
      const path = new URL(new Request(input as RequestInfo).url).pathname;
      const body = path.endsWith("/Task/Detail")
        ? { result: true, errors: [], tasklist: [{ status: "task_start" }] }
        : wiroError(0, "Internal server error");
      return new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });
    };
    const provider = wiroProvider({
      endpoint: { ...endpoint("http://127.0.0.1:1/wiro/v1"), apiKey: "k" },
      timeoutMs: 1000,
      fetch,
      model: "m",
    });
    expect(errorOf(await provider.cancel({ taskId: "1", token: "tok" }))).toMatchObject({ retryable: true, code: "0" });
  });

  it("code 96 and HTTP 429 are pushback on every endpoint; 97 is final on Run", async () => {
    for (const call of ["submit", "poll"] as const) {
      expect(errorOf(await wiro(wiroError(96))[call]())).toMatchObject({ retryable: true, pushback: true, code: "96" });
      expect(errorOf(await wiro(wiroError(0, "Too many requests"), 429)[call]())).toMatchObject({
        retryable: true,
        pushback: true,
      });
    }
    expect(errorOf(await wiro(wiroError(97)).submit())).toMatchObject({ retryable: false, code: "97" });
  });

  it("code 0 with HTTP 401 is a credentials failure on every endpoint, saying which settings to check", async () => {
    for (const call of ["submit", "poll"] as const) {
      const signed = errorOf(await wiro(wiroError(0, "Project authorization is not valid."), 401)[call]());
      expect(signed).toMatchObject({ retryable: false, fatal: true, code: "provider_auth_failed", httpStatus: 401 });
      expect(signed.message).toContain("Project authorization is not valid.");
      expect(signed.message).not.toContain("wiro-secret");
      const keyOnly = errorOf(
        await wiro(wiroError(0, "Project requires signature authentication."), 401, null)[call](),
      );
      expect(keyOnly.message).toContain("a signature-based Wiro project also needs WIRO_API_SECRET");
    }
  });

  it("without a secret only x-api-key is sent; with one, a fresh nonce and its signature", async () => {
    const detail = { result: true, errors: [], tasklist: [{ status: "task_queue" }] };
    const keyOnly = wiro(detail, 200, null);
    await keyOnly.poll();
    expect(keyOnly.seen[0]!.headers.get("x-api-key")).toBe("wiro-key");
    expect(keyOnly.seen[0]!.headers.has("x-nonce")).toBe(false);
    expect(keyOnly.seen[0]!.headers.has("x-signature")).toBe(false);
    const signed = wiro(detail);
    await signed.poll();
    await signed.poll();
    const nonces = signed.seen.map((r) => r.headers.get("x-nonce"));
    expect(nonces[0]).toMatch(/^\d+$/);
    expect(nonces[0]).not.toBe(nonces[1]);
    expect(signed.seen[0]!.headers.get("x-signature")).toMatch(/^[0-9a-f]{64}$/);
  });

  const detail = (status: string, pexit?: string) => ({
    result: true,
    errors: [],
    tasklist: [
      {
        status,
        ...(pexit === undefined ? {} : { pexit }),
        debugerror: "",
        outputs: [{ url: "https://cdn1.wiro.ai/0.mp4", contenttype: "video/mp4", size: "9" }],
      },
    ],
  });
  const stateOf = async (status: string, pexit?: string) => valueIn(await wiro(detail(status, pexit)).poll()).state;

  it("every status of Wiro's order before the end keeps the job running, task_end included", async () => {
    for (const s of [
      "task_queue",
      "task_accept",
      "task_preprocess_start",
      "task_preprocess_end",
      "task_assign",
      "task_start",
      "task_output",
      "task_output_full",
      // the stderr log sent when the process exits: post-processing (and success) may follow
      "task_error_full",
      "task_end",
      "task_postprocess_start",
    ])
      expect(await stateOf(s), s).toBe("running");
  });

  it("success only at task_postprocess_end with exit code 0; task_error fails; task_cancel is canceled", async () => {
    expect(await stateOf("task_postprocess_end", "0")).toBe("succeeded");
    expect(await stateOf("task_postprocess_end", "1")).toBe("failed");
    expect(await stateOf("task_postprocess_end")).toBe("failed");
    expect(await stateOf("task_error")).toBe("failed");
    expect(await stateOf("task_cancel")).toBe("canceled");
  });
});
