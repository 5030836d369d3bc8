import { describe, expect, it, vi } from "vitest";
import oas31 from "@seriousme/openapi-schema-validator/schemas/v3.1/schema.json";

vi.mock("node:fs", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs")>();
  return { ...real, readFileSync: (p: string, enc: string) => (String(p).endsWith("/schemas/v3.1/schema.json") ? JSON.stringify(oas31) : real.readFileSync(p, enc as "utf-8")) };
});
const { Validator } = await import("@seriousme/openapi-schema-validator");

describe("probe", () => {
  it("openapi validator runs", async () => {
    const v = new Validator();
    const res = await v.validate({ openapi: "3.1.0", info: { title: "x", version: "1" }, paths: {} });
    expect(res).toEqual({ valid: true });
    const bad = await v.validate({ openapi: "3.1.0", info: { title: "x" }, paths: {} });
    expect(bad.valid).toBe(false);
  });
});
