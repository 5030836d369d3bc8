// Input URLs are handed to WeShop, whose own parser (Python urllib, curl) reads them again. A URL
// whose text is not exactly WHATWG's form can name another host there (`\@`), or carry CR/LF/TAB
// WHATWG drops, so such text is refused by field; what reaches the provider is what was checked.
import { describe, expect } from "vitest";
import { NOT_NORMALISED } from "../../src/lib/url-policy.ts";
import { it } from "../support/fixture.ts";
import { api, createJob, driveJob } from "../support/harness.ts";

type Problem = { status: number; code: string; errors?: { path: string; message: string }[] };
const SSRF = "https://example.com\\@169.254.169.254/latest/meta-data";
const CRLF = "https://cdn.example.com/a.png\r\nX-Injected: 1";
const TAB = "https://cdn.exam\tple.com/a.png";

describe("non-normalised input URLs", () => {
  // one job per field, each valid apart from the URL, so the URL is the only complaint
  const cases: [string, Record<string, unknown>, string][] = [
    ["images", { images: ["https://cdn.example.com/ok.png", SSRF] }, "params.images[1]"],
    ["videos", { videos: [CRLF] }, "params.videos[0]"],
    ["audios", { images: ["https://cdn.example.com/ok.png"], audios: [TAB] }, "params.audios[0]"],
    ["firstFrame", { firstFrame: SSRF }, "params.firstFrame"],
    ["lastFrame", { firstFrame: "https://cdn.example.com/f.png", lastFrame: CRLF }, "params.lastFrame"],
    ["extendVideo", { extendVideo: TAB, extendDirection: "forward" }, "params.extendVideo"],
  ];
  it.for(cases)("%s: a 400 naming the field, nothing sent", async ([_field, params, path], { h }) => {
    const res = await api("/v1/jobs", {
      json: { model: "weshop/seedance", params: { textDescription: "x", ...params } },
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as Problem;
    expect(body.code).toBe("validation_failed");
    expect(body.errors).toEqual([{ path, message: NOT_NORMALISED }]);
    expect(h.sim.requests).toEqual([]);
    expect(h.jobs).toEqual([]);
  });

  it("Seedream images, a webhook URL and a batch's job are refused the same way", async ({ h }) => {
    const one = (await (
      await api("/v1/jobs", {
        json: {
          model: "weshop/seedream",
          params: { textDescription: "x", images: [SSRF] },
          webhookUrl: "https://hooks.example.com\\@10.0.0.1/",
        },
      })
    ).json()) as Problem;
    expect(one.errors!.map((e) => e.path).sort()).toEqual(["params.images[0]", "webhookUrl"]);
    const batch = (await (
      await api("/v1/batches", {
        json: {
          jobs: [
            { model: "weshop/seedream", params: { textDescription: "x" } },
            { model: "weshop/seedream", params: { textDescription: "x", images: [CRLF] } },
          ],
        },
      })
    ).json()) as Problem;
    expect(batch.errors).toEqual([{ path: "jobs[1].params.images[0]", message: NOT_NORMALISED }]);
    expect(h.sim.requests).toEqual([]);
  });
});

describe("what reaches WeShop", () => {
  it("is exactly the URL text that was checked, in every URL field", async ({ h }) => {
    const sent = [
      {
        images: ["https://cdn.example.com/in/a.png", "https://cdn.example.com/in/b%20c.png?sig=x%2By"],
        videos: ["https://cdn.example.com/v.mp4"],
        audios: ["https://cdn.example.com/a.mp3"],
      },
      { firstFrame: "https://cdn.example.com/first.png", lastFrame: "https://cdn.example.com/last.png" },
      { extendVideo: "https://cdn.example.com/extend.mp4", extendDirection: "forward" },
    ];
    for (const params of sent) {
      const { id } = await createJob({ model: "weshop/seedance", params: { textDescription: "x", ...params } });
      h.jobs.push(id);
      await driveJob(h, id);
    }
    const bodies = h.sim.requests.filter((r) => r.target === "weshop.submit").map((r) => r.body);
    expect(bodies).toHaveLength(sent.length);
    sent.forEach((params, i) => {
      const checked = Object.values(params)
        .flat()
        .filter((v) => v.startsWith("https://"));
      // every URL string in the submit body, wherever (and however often) WeShop's format puts it
      const inBody = new Set(
        [...JSON.stringify(JSON.parse(bodies[i]!)).matchAll(/"(https?:[^"]*)"/g)].map((m) => m[1]),
      );
      expect([...inBody].sort()).toEqual(checked.sort());
    });
  });
});
