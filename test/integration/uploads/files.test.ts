// POST /v1/uploads with the field `file`: each supported image, video and audio format recognised
// by its bytes and stored, its signed link serving it; anything else refused naming `file` with
// nothing stored; DELETE removes it for its owner only; Seedance takes the links as references.

import { exports } from "cloudflare:workers";
import { Validator } from "@cfworker/json-schema";
import { describe, expect } from "vitest";
import { openapiDocument } from "../../../src/http/app.ts";
import { it } from "../../support/fixture.ts";
import { api, BASE, KEY_B } from "../../support/harness.ts";
import { fileForm, MP3, MP4, postUpload, SAMPLES, sha256Hex, storedUploads } from "./media.ts";
import { problem } from "./support.ts";

type Stored = {
  id: string;
  url: string;
  kind: string;
  contentType: string;
  size: number;
  sha256: string;
  expiresAt: string;
};

const documented = () => {
  const doc = JSON.parse(JSON.stringify(openapiDocument()));
  return new Validator({ $ref: "#/components/schemas/StoredUpload", components: doc.components }, "2020-12", false);
};
const fetchLink = (url: string) => exports.default.fetch(new Request(url));

async function upload(data: Uint8Array, name?: string, type?: string): Promise<Stored> {
  const res = await postUpload(fileForm(data, name, type));
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Stored;
}

describe("POST /v1/uploads, field `file`", () => {
  it.for(SAMPLES.map((s) => [s.name, s] as const))(
    "%s is recognised by its bytes, stored, and served by its signed link",
    async ([_, sample], { h }) => {
      // the name and declared type say nothing useful: the bytes decide
      const stored = await upload(sample.bytes, "upload.bin", "application/octet-stream");
      expect(documented().validate(stored).errors).toEqual([]);
      expect(stored).toMatchObject({
        kind: sample.kind,
        contentType: sample.contentType,
        size: sample.bytes.length,
        sha256: await sha256Hex(sample.bytes),
      });
      expect(stored.id).toMatch(/^upl_[0-9a-z]{20}$/);
      expect(stored.url.startsWith(`${BASE}/media/uploads/${stored.id}.`)).toBe(true);
      const days = (Date.parse(stored.expiresAt) - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThanOrEqual(7);
      expect(days).toBeLessThan(7.1);

      const served = await fetchLink(stored.url);
      expect(served.status).toBe(200);
      expect(served.headers.get("Content-Type")).toBe(sample.contentType);
      expect(new Uint8Array(await served.arrayBuffer())).toEqual(sample.bytes);
      expect(h.sim.requests).toEqual([]);
    },
  );

  it("bytes of no supported format are 400 naming `file`, whatever the name says; nothing is stored", async () => {
    const before = await storedUploads();
    for (const [data, name] of [
      [new TextEncoder().encode("hello, I am not a video at all"), "clip.mp4"],
      [new TextEncoder().encode("GIF89a...................."), "a.gif"],
      [Uint8Array.from([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x37, 0, 0, 0, 0, 0, 0, 0, 0]), "doc.mp3"],
    ] as const) {
      const res = await postUpload(fileForm(data, name, "video/mp4"));
      expect(res.status, name).toBe(400);
      const body = await problem(res);
      expect(body.code).toBe("validation_failed");
      expect(body.errors).toEqual([{ path: "file", message: expect.stringMatching(/MP4, WebM, QuickTime/) }]);
    }
    const empty = await postUpload(fileForm(new Uint8Array(0)));
    expect(empty.status).toBe(400);
    expect((await problem(empty)).errors).toEqual([{ path: "file", message: "is empty" }]);
    expect(await storedUploads()).toEqual(before);
  });

  it("a text value, a second file or extra fields are 400 naming each; the file is not kept", async () => {
    const before = await storedUploads();
    const text = new FormData();
    text.append("file", "https://example.com/a.mp4");
    const asText = await postUpload(text);
    expect(asText.status).toBe(400);
    expect((await problem(asText)).errors).toEqual([{ path: "file", message: "must be a file, not a text value" }]);

    const extra = fileForm(MP4);
    extra.append("caption", "hello");
    extra.append("file", new File([MP3], "b.mp3"));
    const res = await postUpload(extra);
    expect(res.status).toBe(400);
    expect((await problem(res)).errors?.map((e) => e.path).sort()).toEqual(["caption", "file"]);
    expect(await storedUploads()).toEqual(before);
  });

  it("without a key it is 401 and nothing is stored", async () => {
    const before = await storedUploads();
    const res = await exports.default.fetch(new Request(`${BASE}/v1/uploads`, { method: "POST", body: fileForm(MP4) }));
    expect(res.status).toBe(401);
    expect(await storedUploads()).toEqual(before);
  });
});

describe("DELETE /v1/uploads/{id}", () => {
  it("removes the file for its owner: 204, then its link is 404 and a second delete is 404", async () => {
    const stored = await upload(MP4);
    const deleted = await api(`/v1/uploads/${stored.id}`, { method: "DELETE" });
    expect(deleted.status).toBe(204);
    expect((await fetchLink(stored.url)).status).toBe(404);
    expect((await storedUploads()).some((k) => k.includes(stored.id))).toBe(false);
    const again = await api(`/v1/uploads/${stored.id}`, { method: "DELETE" });
    expect(again.status).toBe(404);
    expect((await problem(again)).code).toBe("not_found");
  });

  it("another tenant's upload is 404 and stays served; an id of the wrong shape is 404", async () => {
    const stored = await upload(MP3);
    const other = await api(`/v1/uploads/${stored.id}`, { method: "DELETE", key: KEY_B });
    expect(other.status).toBe(404);
    expect(await other.text()).not.toContain(stored.url);
    expect((await fetchLink(stored.url)).status).toBe(200);
    expect((await api("/v1/uploads/upl_nope", { method: "DELETE" })).status).toBe(404);
    expect((await api(`/v1/uploads/${stored.id}`, { method: "DELETE" })).status).toBe(204);
  });
});

describe("upload links as job inputs", () => {
  it("Seedance 2.0 takes an uploaded video and audio as references, and an uploaded video to extend", async () => {
    const video = await upload(MP4, "clip.mp4", "video/mp4");
    const audio = await upload(MP3, "track.mp3", "audio/mpeg");
    const references = await api("/v1/jobs", {
      json: {
        model: "weshop/seedance",
        params: { textDescription: "the same scene at night", videos: [video.url], audios: [audio.url] },
      },
    });
    expect(references.status, await references.clone().text()).toBe(202);
    const job = (await references.json()) as { params: Record<string, unknown> };
    expect(job.params).toMatchObject({ videos: [video.url], audios: [audio.url] });

    const extend = await api("/v1/jobs", {
      json: {
        model: "weshop/seedance",
        params: { textDescription: "and then it rains", extendVideo: video.url, extendDirection: "forward" },
      },
    });
    expect(extend.status, await extend.clone().text()).toBe(202);
  });
});
