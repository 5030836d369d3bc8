// Keys on the real local stack (`wrangler dev`, as `npm start` runs it): the dashboard's keys page
// and its scopes in Chromium, docs/keys.md's rotation walk-through, the [[ratelimits]] binding answering 429 under wrangler dev, and — after the
// stack stops — every file of its persisted state (D1, Durable Objects, R2) and its logs scanned
// for the keys' secrets, which must not be there in clear.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type LocalStack, startLocalStack } from "../../simulator/local-stack.ts";
import { artifact, launchChromium } from "./browser.ts";
import { freePort } from "./stack.ts";

const ROOT = "stack-root-key";
const ADMIN = "stack-admin-key-0123456789";
const PER_MINUTE = 20;
const dirs = {
  state: mkdtempSync(join(tmpdir(), "seedrun-keys-")),
  logs: mkdtempSync(join(tmpdir(), "seedrun-keys-logs-")),
};
let stack: LocalStack | undefined;

beforeAll(async () => {
  stack = await startLocalStack({
    port: await freePort(),
    simPort: await freePort(),
    apiKey: ROOT,
    persistTo: dirs.state,
    logDir: dirs.logs,
    quiet: true,
    cronTicks: false,
    vars: { ADMIN_API_KEY: ADMIN, RATE_LIMIT_PER_MINUTE: String(PER_MINUTE) },
    simEnv: { SIM_DURATION_MS: "2000" },
  });
});
afterAll(() => {
  stack?.stop();
  rmSync(dirs.state, { recursive: true, force: true });
  rmSync(dirs.logs, { recursive: true, force: true });
});

async function call(key: string, path: string, json?: unknown, method?: string) {
  const res = await fetch(`${stack!.worker}${path}`, {
    method: method ?? (json === undefined ? "GET" : "POST"),
    headers: { Authorization: `Bearer ${key}`, ...(json === undefined ? {} : { "Content-Type": "application/json" }) },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

it("the dashboard shows the key's scopes, hides what it cannot do, and makes, shows once and revokes keys", async () => {
  const reader = (await call(ROOT, "/v1/keys", { name: "viewer", scopes: ["read"] })).body.key as string;
  const browser = await launchChromium();
  try {
    const page = await (await browser.newContext()).newPage();
    page.on("dialog", (d) => void d.accept());
    const signIn = async (key: string) => {
      await page.goto(`${stack!.worker}/dashboard`);
      await page.getByLabel("API key").fill(key);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("navigation", { name: "Sections" }).waitFor();
    };
    // a read key: no New job link, no key form, its scopes said
    await signIn(reader);
    await page.getByRole("heading", { name: "Jobs", level: 1 }).waitFor();
    expect(await page.getByRole("link", { name: "New job" }).isVisible()).toBe(false);
    await page.getByRole("link", { name: "Keys" }).click();
    await page.getByRole("heading", { name: "Keys", level: 1 }).waitFor();
    expect(await page.locator(".whoami").textContent()).toMatch(/viewer.*scopes: read$/s);
    expect(await page.getByRole("button", { name: "Create key" }).count()).toBe(0);
    await page.getByRole("button", { name: "Sign out" }).click();
    // the root key: makes a key, sees it once, revokes it
    await signIn(ROOT);
    await page.getByRole("link", { name: "New job" }).waitFor();
    await page.getByRole("link", { name: "Keys" }).click();
    await page.getByRole("heading", { name: "Keys", level: 1 }).waitFor();
    // what the page showed instead, should the form not come (a screenshot beside the other artifacts)
    await page
      .getByLabel("Name")
      .waitFor()
      .catch(async (err: Error) => {
        await page.screenshot({ path: artifact("keys-no-form.png") });
        throw new Error(`${err.message}\nthe page said: ${await page.locator("main").textContent()}`);
      });
    await page.getByLabel("Name").fill("from the dashboard");
    await page.getByRole("button", { name: "Create key" }).click();
    // what the form said instead, should the key not come (it did not once in CI, with no trace of why)
    const secret = await page
      .getByLabel("The new key")
      .inputValue()
      .catch(async (err: Error) => {
        await page.screenshot({ path: artifact("keys-no-secret.png") });
        throw new Error(`${err.message}\nthe page said: ${await page.locator("main").textContent()}`);
      });
    expect(secret).toMatch(/^sr_[0-9A-Za-z]{40}$/);
    expect((await call(secret, "/v1/keys/current")).body.scopes).toEqual(["read"]);
    await page.getByRole("button", { name: "Revoke from the dashboard" }).click();
    await page.getByRole("button", { name: "Revoke from the dashboard" }).waitFor({ state: "detached" });
    expect((await call(secret, "/v1/jobs")).status).toBe(401);
    // the secret is nowhere in the page once it is left
    await page.getByRole("link", { name: "Jobs" }).click();
    await page.getByRole("heading", { name: "Jobs", level: 1 }).waitFor();
    expect(await page.content()).not.toContain(secret);
  } finally {
    await browser.close();
  }
}, 120_000);

it("rotation walk-through, 429 from the binding, and no secret in the persisted state or logs", async () => {
  // a key for the client instead of the API_KEYS entry; it sees what the root key made
  const job = await call(ROOT, "/v1/jobs", { model: "weshop/seedream", params: { textDescription: "a lighthouse" } });
  expect(job.status).toBe(202);
  const first = await call(ROOT, "/v1/keys", {
    name: "app v1",
    scopes: ["read", "jobs:write", "schedules:write", "budget:write", "keys:write"],
  });
  expect(first.status).toBe(201);
  const k1 = first.body.key as string;
  expect((await call(k1, `/v1/jobs/${job.body.id}`)).status).toBe(200);
  // rotate: the next key, made with the current one, then the current one revoked
  const second = await call(k1, "/v1/keys", {
    name: "app v2",
    scopes: ["read", "jobs:write", "schedules:write", "budget:write", "keys:write"],
  });
  const k2 = second.body.key as string;
  expect((await call(k2, `/v1/keys/${first.body.id}`, undefined, "DELETE")).status).toBe(204);
  expect((await call(k1, "/v1/jobs")).status).toBe(401);
  expect((await call(k2, `/v1/jobs/${job.body.id}`)).status).toBe(200);
  const tenant = await call(ADMIN, "/v1/admin/tenants", { name: "Acme" });
  expect(tenant.status).toBe(201);

  // the Rate Limiting binding under wrangler dev: a read key of its own, over PER_MINUTE. The binding
  // counts in one-minute windows and the loop may straddle an edge (it failed so in CI, 22 × 200):
  // twice the limit and two more put over the limit into one window whichever way they split
  const reader = (await call(k2, "/v1/keys", { name: "reader", scopes: ["read"] })).body;
  const statuses: number[] = [];
  let refused: Awaited<ReturnType<typeof call>> | undefined;
  for (let i = 0; i < 2 * PER_MINUTE + 2 && !refused; i++) {
    const r = await call(reader.key as string, "/v1/jobs?limit=1");
    statuses.push(r.status);
    if (r.status === 429) refused = r;
  }
  expect(refused, statuses.join(",")).toBeDefined();
  expect(refused!.body.code).toBe("rate_limited");
  expect(Number(refused!.headers.get("Retry-After"))).toBeGreaterThan(0);
  // within one minute window the count is exact; across a window edge it restarts
  expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);

  stack!.stop();
  stack = undefined;
  await new Promise((r) => setTimeout(r, 1500));
  const secrets = [k1, k2, reader.key as string, tenant.body.key as string];
  const files = [...filesUnder(dirs.state), ...filesUnder(dirs.logs)];
  expect(files.some((f) => f.endsWith(".sqlite"))).toBe(true);
  for (const file of files) {
    const bytes = readFileSync(file).toString("latin1");
    for (const secret of secrets) expect(bytes.includes(secret.slice(7)), `${file} holds a key`).toBe(false);
  }
}, 240_000);
