// Requests per job: @seedrun/client's run() (POST, then one server-sent event stream) against
// the raw API followed by polling GET /v1/jobs/{id} every second, and by `Prefer: wait` long
// polls, on the same stack and the same jobs. Also counts the state changes each way saw.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Seedrun } from "../../packages/client/src/index.ts";
import { startLocalStack } from "../../simulator/local-stack.ts";
import { mean, mixedSpec, stackPorts } from "./lib.ts";
import type { Section } from "./section.ts";

const JOBS = 9;
const POLL_MS = 1000;
const TERMINAL = new Set(["succeeded", "failed", "canceled"]);

interface Count {
  requests: number;
  changes: number;
}

export async function clientBenchmark(): Promise<Section> {
  const persistTo = mkdtempSync(join(tmpdir(), "seedrun-bench-client-"));
  const stack = await startLocalStack({
    ...stackPorts(),
    persistTo,
    quiet: true,
    cronTicks: false,
    simEnv: { SIM_DURATION_MS: "3000" },
  });
  const headers = { Authorization: `Bearer ${stack.apiKey}`, "Content-Type": "application/json" };
  try {
    const viaClient = async (i: number): Promise<Count> => {
      let requests = 0;
      const counted: typeof fetch = (input, init) => {
        requests++;
        return fetch(input, init);
      };
      const sr = new Seedrun({ baseUrl: stack.worker, apiKey: stack.apiKey, fetch: counted });
      const statuses: string[] = [];
      const spec = mixedSpec(i);
      await sr.run(spec.model as never, spec.params as never, {
        onProgress: (j) => void (statuses.at(-1) !== j.status && statuses.push(j.status)),
      });
      return { requests, changes: statuses.length };
    };
    const viaPolling = async (i: number): Promise<Count> => {
      let job = (await (
        await fetch(`${stack.worker}/v1/jobs`, { method: "POST", headers, body: JSON.stringify(mixedSpec(i)) })
      ).json()) as {
        id: string;
        status: string;
      };
      let requests = 1;
      const statuses = [job.status];
      while (!TERMINAL.has(job.status)) {
        await sleep(POLL_MS);
        job = (await (await fetch(`${stack.worker}/v1/jobs/${job.id}`, { headers })).json()) as typeof job;
        requests++;
        if (statuses.at(-1) !== job.status) statuses.push(job.status);
      }
      return { requests, changes: statuses.length };
    };
    const viaWait = async (i: number): Promise<Count> => {
      let job = (await (
        await fetch(`${stack.worker}/v1/jobs`, {
          method: "POST",
          headers: { ...headers, Prefer: "wait=60" },
          body: JSON.stringify(mixedSpec(i)),
        })
      ).json()) as {
        id: string;
        status: string;
      };
      let requests = 1;
      const statuses = [job.status];
      while (!TERMINAL.has(job.status)) {
        job = (await (
          await fetch(`${stack.worker}/v1/jobs/${job.id}`, { headers: { ...headers, Prefer: "wait=60" } })
        ).json()) as typeof job;
        requests++;
        if (statuses.at(-1) !== job.status) statuses.push(job.status);
      }
      return { requests, changes: statuses.length };
    };
    const run = (f: (i: number) => Promise<Count>) => Promise.all(Array.from({ length: JOBS }, (_, i) => f(i)));
    const client = await run(viaClient);
    const polling = await run(viaPolling);
    const wait = await run(viaWait);
    const per = (counts: Count[], key: keyof Count) => Math.round(mean(counts.map((c) => c[key])) * 100) / 100;
    const figures = {
      "client.requestsPerJob": per(client, "requests"),
      "client.stateChangesPerJob": per(client, "changes"),
      "client.rawPollingRequestsPerJob": per(polling, "requests"),
      "client.rawPollingStateChangesPerJob": per(polling, "changes"),
      "client.rawWaitRequestsPerJob": per(wait, "requests"),
      "client.rawWaitStateChangesPerJob": per(wait, "changes"),
    };
    const markdown = `## Client: requests per job

${JOBS} jobs (a third each of Seedream, Wiro Seedance and WeShop Seedance, 3 s simulated runs),
run three ways on one local stack. \`run()\` of \`@seedrun/client\` creates the job and follows
\`GET /v1/jobs/{id}/events\`: every state change arrives on one stream.

| how | requests per job | state changes seen per job |
|---|---|---|
| \`sr.run()\` (POST + server-sent events) | ${figures["client.requestsPerJob"]} | ${figures["client.stateChangesPerJob"]} |
| raw API, \`GET /v1/jobs/{id}\` every ${POLL_MS / 1000} s | ${figures["client.rawPollingRequestsPerJob"]} | ${figures["client.rawPollingStateChangesPerJob"]} |
| raw API, \`Prefer: wait=60\` | ${figures["client.rawWaitRequestsPerJob"]} | ${figures["client.rawWaitStateChangesPerJob"]} |

\`run()\` costs a constant 2 requests whatever the run's length and sees every change; polling
pays one request per second and can miss a short state; \`Prefer: wait\` costs as little but
reports only the end. So the client adds no request per state change over the raw API.
Request counts do not depend on the machine's speed, except the polling row (a slower run
means more polls); this run shared 2 cores with other work (load average about 17).
`;
    return { markdown, figures };
  } finally {
    stack.stop();
    rmSync(persistTo, { recursive: true, force: true });
  }
}
