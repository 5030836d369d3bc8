// Contract: the official WeShop CLI (weshop-cli 0.2.22) runs its real commands against the simulator
// and each completes; then seedrun's own request for the same job must carry the same agent, params
// and image placement as the CLI's (seedrun adds input.images, as docs/providers.md asks).
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CapturedRequest, SimTask } from "../../simulator/index.ts";
import { field, type LiveSim, localImage, removeWorkDirs, runCli, startSim, workDir } from "./cli.ts";
import { seedrunSubmit } from "./seedrun.ts";

let live: LiveSim;
beforeAll(async () => {
  live = await startSim();
});
afterAll(async () => {
  await live?.close();
  removeWorkDirs();
});

// biome-ignore lint/suspicious/noExplicitAny: the CLI's requests are foreign JSON read field by field
type Obj = Record<string, any>;
const PROMPT = "a lighthouse at dusk, waves breaking";

interface Job {
  name: string;
  args(image: string): string[];
  /** The seedrun job a user writes for the same thing; `url` is the image URL the CLI uploaded. */
  seedrun(url: string): { model: string; params: Obj };
}

const JOBS: Job[] = [
  {
    name: "seedream text-only",
    args: () => ["seedream", "--prompt", PROMPT],
    seedrun: () => ({ model: "weshop/seedream", params: { textDescription: PROMPT } }),
  },
  {
    name: "seedream with an image",
    args: (img) => ["seedream", "--prompt", PROMPT, "--image", img],
    seedrun: (url) => ({ model: "weshop/seedream", params: { textDescription: PROMPT, images: [url] } }),
  },
  {
    name: "seedream Pro 1K auto",
    args: () => [
      "seedream",
      "--prompt",
      PROMPT,
      "--model",
      "Seedream_50_Pro",
      "--image-size",
      "1K",
      "--aspect-ratio",
      "auto",
    ],
    seedrun: () => ({
      model: "weshop/seedream",
      params: { textDescription: PROMPT, modelName: "Seedream_50_Pro", imageSize: "1K", aspectRatio: "auto" },
    }),
  },
  {
    // no --model: the CLI switches to Lite itself for 3K and tools, as seedrun must for a seed-style job
    name: "seedream Lite 3K web_search",
    args: () => ["seedream", "--prompt", PROMPT, "--image-size", "3K", "--tool", "web_search"],
    seedrun: () => ({
      model: "weshop/seedream",
      params: { textDescription: PROMPT, imageSize: "3K", tools: ["web_search"] },
    }),
  },
  {
    name: "seedance 1.0 Pro with a local image",
    args: (img) => ["seedance", "--prompt", PROMPT, "--model", "Seedance_10_Pro", "--image", img],
    seedrun: (url) => ({
      model: "weshop/seedance",
      params: {
        textDescription: PROMPT,
        modelName: "Seedance_10_Pro",
        duration: "4s",
        aspectRatio: "3:4",
        images: [url],
      },
    }),
  },
  {
    name: "seedance 2.0 text-only",
    args: () => ["seedance", "--prompt", PROMPT],
    seedrun: () => ({
      model: "weshop/seedance",
      params: {
        textDescription: PROMPT,
        modelName: "Seedance_20",
        duration: "4s",
        aspectRatio: "16:9",
        generateAudio: "true",
        resolution: "720p",
      },
    }),
  },
  {
    name: "seedance 2.0 Mini with a first frame",
    args: (img) => [
      "seedance",
      "--prompt",
      PROMPT,
      "--model",
      "Seedance_20_Mini",
      "--first-frame",
      img,
      "--resolution",
      "480p",
    ],
    seedrun: (url) => ({
      model: "weshop/seedance",
      params: {
        textDescription: PROMPT,
        modelName: "Seedance_20_Mini",
        firstFrame: url,
        resolution: "480p",
        aspectRatio: "16:9",
        duration: "4s",
        generateAudio: "true",
      },
    }),
  },
];

const submits = (from: number) => live.sim.requests.slice(from).filter((r) => r.target === "weshop.submit");
const taskOf = (req: CapturedRequest): SimTask | undefined =>
  live.sim.tasks().find((t) => t.idempotencyKey === req.headers["idempotency-key"]);
/** The image the CLI sent: the first frame or the first of its images. */
const cliImageUrl = (b: Obj) => String(b.params.firstFrame ?? b.input.originalImage ?? "");

describe("weshop-cli 0.2.22 against the simulator", () => {
  it("upload: the returned URL serves the very bytes uploaded", async () => {
    const dir = workDir();
    const img = localImage(dir);
    const res = await runCli(live, ["upload", img.path], dir);
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    const url = field(res.stdout, "imageUrl");
    expect(url).toMatch(new RegExp(`^${live.origin}/files/assets/`));
    const served = new Uint8Array(await (await fetch(url as string)).arrayBuffer());
    expect(served).toEqual(img.bytes);
  });

  it("a power estimate quotes without starting a run, and the run then costs what was quoted", async () => {
    const dir = workDir();
    const tasksBefore = live.sim.tasks().length;
    const quote = await runCli(live, ["seedream", "--prompt", PROMPT, "--batch", "2", "--calculate-power"], dir);
    expect(quote.code).toBe(0);
    expect(quote.stdout).toContain("[power-estimate]");
    const total = Number(field(quote.stdout, "totalPower"));
    expect(total).toBeGreaterThan(0);
    expect(field(quote.stdout, "paidPowerNotEnough")).toBe("false");
    expect(live.sim.tasks()).toHaveLength(tasksBefore);
    const run = await runCli(live, ["seedream", "--prompt", PROMPT, "--batch", "2"], dir);
    expect(run.code).toBe(0);
    expect(Number(field(run.stdout, "powerConsumption"))).toBe(total);
  });

  it("info lists no presets for seedream", async () => {
    const res = await runCli(live, ["info", "seedream"]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain("No preset IDs available for this agent");
  });

  const sent = new Map<string, Obj>();
  describe.each(JOBS)("$name", (job) => {
    it("completes through the CLI", async () => {
      const dir = workDir();
      const img = localImage(dir);
      const from = live.sim.requests.length;
      const res = await runCli(live, job.args(img.path), dir);
      expect(res.stderr).toBe("");
      expect(res.code).toBe(0);
      expect(field(res.stdout, "status")).toBe("Success");
      const url = field(res.stdout, "url");
      expect(url).toMatch(new RegExp(`^${live.origin}/files/weshop/`));
      expect((await fetch(url as string)).status).toBe(200);
      const [submit] = submits(from);
      expect(submit).toBeDefined();
      const b = JSON.parse((submit as CapturedRequest).body) as Obj;
      // the CLI's wire form as docs/providers.md describes it
      expect(b.safeGenerate).toBe("on");
      expect(submit?.headers["idempotency-key"]).toMatch(/^[0-9a-f-]{36}$/);
      expect(b.input.images).toBeUndefined();
      if (b.params.images) expect(b.input.originalImage).toBe(b.params.images[0]);
      sent.set(job.name, { body: b, request: submit });
    });

    it("seedrun's request carries the same agent, params and image placement", async () => {
      const cli = sent.get(job.name);
      expect(cli, "the CLI run above must have completed").toBeDefined();
      const cliBody = cli?.body as Obj;
      const spec = job.seedrun(cliImageUrl(cliBody));
      const ours = await seedrunSubmit(live, spec.model, spec.params);
      // what seedrun refused itself, or what the simulator refused in seedrun's request
      expect(ours.errors.join("; ")).toBe("");
      const body = JSON.parse(ours.request?.body ?? "{}") as Obj;
      expect(body.agent).toEqual(cliBody.agent);
      expect(body.safeGenerate).toBe("on");
      expect(ours.request?.headers["idempotency-key"]).toBeTruthy();
      // Seedream: seedrun always names the model; the CLI may leave it to the server's default
      if (cliBody.agent.name === "seedream")
        expect(body.params.modelName).toBe(taskOf(cli?.request)?.effectiveParams?.modelName);
      // every param the CLI chose, compared as the server executes them (its defaults applied)
      const theirs = taskOf(cli?.request)?.effectiveParams ?? {};
      const mine = taskOf(ours.request as CapturedRequest)?.effectiveParams ?? {};
      for (const key of new Set([...Object.keys(cliBody.params), "modelName"])) {
        if (key in theirs) expect(mine[key], `params.${key}`).toEqual(theirs[key]);
      }
      // image placement: the CLI's places, plus input.images (the DSH plugin's), nothing elsewhere
      const images: string[] = cliBody.params.images ?? [];
      expect(body.input.originalImage).toBe(cliBody.input.originalImage);
      expect(body.params.images ?? []).toEqual(images);
      expect(body.input.images ?? []).toEqual(images);
      expect(body.params.firstFrame).toBe(cliBody.params.firstFrame);
    });
  });

  it("the uploaded local file is what the run points at", async () => {
    const dir = workDir();
    const img = localImage(dir, "frame.png");
    const from = live.sim.requests.length;
    const res = await runCli(
      live,
      ["seedance", "--prompt", PROMPT, "--model", "Seedance_10_Pro", "--image", img.path],
      dir,
    );
    expect(res.code).toBe(0);
    const b = JSON.parse(submits(from)[0]?.body ?? "{}") as Obj;
    const served = new Uint8Array(await (await fetch(b.input.originalImage)).arrayBuffer());
    expect(served).toEqual(new Uint8Array(readFileSync(img.path)));
  });
});
