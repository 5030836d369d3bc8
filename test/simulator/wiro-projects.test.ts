// Wiro's two kinds of project (Wiro-Docs authentication.md): signature-based needs x-nonce and
// x-signature on every call; API-key-only takes x-api-key alone. The kind is fixed at creation.
import { describe, expect, it } from "vitest";
import { createSimulator } from "../../simulator/index.ts";
import { body, ORIGIN, WIRO_KEY, WIRO_RUN, WIRO_RUN_PATH, WIRO_SECRET, wiroRequest } from "./helpers.ts";

const KEY_ONLY = "sim-key-only-project";

function sim(withKeyOnly = true) {
  return createSimulator({
    origin: ORIGIN,
    weshopApiKey: "ws",
    wiroApiKey: WIRO_KEY,
    wiroApiSecret: WIRO_SECRET,
    ...(withKeyOnly ? { wiroKeyOnlyApiKey: KEY_ONLY } : {}),
    now: () => 1_734_513_807_000,
  });
}

/** A call the way Wiro's own client makes it for a key-only project: x-api-key and nothing else. */
function keyOnlyCall(path: string, payload: unknown, key: string): Request {
  return new Request(`${ORIGIN}/wiro/v1${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": key },
    body: JSON.stringify(payload),
  });
}

describe("Wiro projects", () => {
  it("an API-key-only project's key runs a task and reads it back without any signature", async () => {
    const s = sim();
    const run = await body(await s.fetch(keyOnlyCall(WIRO_RUN_PATH, WIRO_RUN, KEY_ONLY)));
    expect(run).toMatchObject({ result: true, errors: [] });
    const detail = await body(
      await s.fetch(keyOnlyCall("/Task/Detail", { tasktoken: run.socketaccesstoken }, KEY_ONLY)),
    );
    expect(detail.tasklist[0]).toMatchObject({ id: run.taskid, status: "task_queue" });
    expect(s.tasks()).toHaveLength(1);
  });

  it("a signature-based project refuses a key-only call with code 0 and HTTP 401, creating nothing", async () => {
    const s = sim();
    const res = await s.fetch(keyOnlyCall(WIRO_RUN_PATH, WIRO_RUN, WIRO_KEY));
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      result: false,
      errors: [
        {
          code: 0,
          message: "Project requires signature authentication. x-signature and x-nonce headers are required.",
        },
      ],
    });
    expect(s.tasks()).toHaveLength(0);
    // the same project, signed, is served
    expect(await body(await s.fetch(await wiroRequest(WIRO_RUN_PATH, WIRO_RUN)))).toMatchObject({ result: true });
  });

  it("without a key-only project configured, no key is accepted unsigned", async () => {
    const s = sim(false);
    const res = await s.fetch(keyOnlyCall(WIRO_RUN_PATH, WIRO_RUN, KEY_ONLY));
    expect(res.status).toBe(401);
    expect((await body(res)).errors).toEqual([{ code: 0, message: "Project authorization is not founded." }]);
    expect(s.tasks()).toHaveLength(0);
  });
});
