// How close estimatedCompletionAt lands: runs whose true time scatters log-normally (seeded) around
// a median the prior gets wrong, each estimated at its start from what the model statistics object
// (the real Durable Object) learned from the runs before it. The floor is the scatter itself: no
// estimate made at the start can beat the median distance of the runs from their own median.
import { env } from "cloudflare:test";
import { expect, it } from "vitest";
import { estimateCompletion } from "../../src/jobs/poll/eta.ts";
import { modelStats } from "../../src/jobs/stats/stats-client.ts";
import { MODELS } from "../../src/providers/models.ts";
import { seeded } from "../support/seeded.ts";

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const gaussian = (rand: () => number) => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());

async function measure(
  model: keyof typeof MODELS,
  params: Record<string, unknown>,
  trueFactor: number,
  sigma: number,
  seed: number,
) {
  const rand = seeded(seed);
  const prior = MODELS[model].expectedRunMs(params);
  const trueMedian = prior * trueFactor;
  const errors: number[] = [];
  const priorErrors: number[] = [];
  const floor: number[] = [];
  const WARM_UP = 10;
  for (let i = 0; i < 200; i++) {
    const { factor, spread } = await modelStats(env).estimate(model);
    const runMs = trueMedian * Math.exp(sigma * gaussian(rand));
    // estimated when the provider starts the run; the copy allowance is part of both sides
    const eta = estimateCompletion(
      { status: "running", startedAt: 0, expectedRunMs: Math.round(prior * factor), runSpread: spread },
      0,
    );
    const priorEta = estimateCompletion({ status: "running", startedAt: 0, expectedRunMs: prior }, 0);
    const copyMs = estimateCompletion({ status: "copying", expectedRunMs: prior }, 0);
    if (i >= WARM_UP) {
      errors.push(Math.abs(eta - (runMs + copyMs)));
      priorErrors.push(Math.abs(priorEta - (runMs + copyMs)));
      floor.push(Math.abs(runMs - trueMedian));
    }
    // the end as a callback marks it (exactly)
    await modelStats(env).observe(model, { fromMs: runMs, toMs: runMs }, prior);
  }
  return { error: median(errors), floor: median(floor), prior: median(priorErrors), trueMedian };
}

it.each([
  {
    model: "weshop/seedream" as const,
    params: { textDescription: "x", imageSize: "2K" },
    trueFactor: 0.4,
    sigma: 0.15,
    seed: 11,
  },
  {
    model: "weshop/seedance" as const,
    params: { textDescription: "x", duration: "5s" },
    trueFactor: 2.5,
    sigma: 0.3,
    seed: 12,
  },
  {
    model: "wiro/ByteDance/text-to-video-seedance-v1" as const,
    params: { prompt: "x", duration: "5" },
    trueFactor: 0.5,
    sigma: 0.5,
    seed: 13,
  },
])(
  "$model: the estimate at the start lands within the runs' own scatter (σ $sigma, true median $trueFactor× the prior)",
  async (c) => {
    const r = await measure(c.model, c.params, c.trueFactor, c.sigma, c.seed);
    console.log(
      `${c.model} σ=${c.sigma}: median |error| ${Math.round(r.error)} ms, scatter floor ${Math.round(r.floor)} ms, prior alone ${Math.round(r.prior)} ms (true median ${Math.round(r.trueMedian)} ms)`,
    );
    // learning brings the estimate to the scatter's floor (within 25 %), far from where the prior alone lands
    expect(r.error).toBeLessThan(r.floor * 1.25);
    expect(r.error).toBeLessThan(r.prior);
  },
);
