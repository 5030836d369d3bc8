// Pure pieces of costs and budgets: the price table's matching rule, price keys, UTC periods.
import { describe, expect, it } from "vitest";
import { periodEnd, periodKey } from "../../src/budgets/periods.ts";
import type { PriceEntry } from "../../src/config.ts";
import { priceKey } from "../../src/costs/price-key.ts";
import { tablePrice } from "../../src/costs/quote.ts";

describe("price table", () => {
  const table: PriceEntry[] = [
    { inputs: {}, price: 0.5 },
    { inputs: { resolution: "720p" }, price: 0.2 },
    { inputs: { resolution: "720p", duration: "10" }, price: 0.26 },
  ];
  it("takes the most specific row whose inputs all match; {} matches every run", () => {
    expect(tablePrice(table, { resolution: "720p", duration: "10", prompt: "x" })).toBe(0.26);
    expect(tablePrice(table, { resolution: "720p", duration: "5" })).toBe(0.2);
    expect(tablePrice(table, { resolution: "480p" })).toBe(0.5);
    expect(tablePrice(table.slice(1), { resolution: "480p" })).toBeUndefined();
  });
});

describe("price key", () => {
  it("ignores the prompt, the seed and which URLs are given, but not how many", () => {
    const a = priceKey({ prompt: "a", seed: 1, resolution: "720p", images: ["https://x.example/1.png"] });
    expect(priceKey({ prompt: "b", seed: 2, resolution: "720p", images: ["https://y.example/2.png"] })).toBe(a);
    expect(
      priceKey({ prompt: "a", resolution: "720p", images: ["https://x.example/1.png", "https://x.example/2.png"] }),
    ).not.toBe(a);
    expect(priceKey({ prompt: "a", resolution: "480p", images: ["https://x.example/1.png"] })).not.toBe(a);
  });
});

describe("periods", () => {
  it("are UTC calendar days and months", () => {
    const at = Date.parse("2026-12-31T23:59:59.999Z");
    expect([periodKey("day", at), periodKey("month", at)]).toEqual(["day:2026-12-31", "month:2026-12"]);
    expect(new Date(periodEnd("day", at)).toISOString()).toBe("2027-01-01T00:00:00.000Z");
    expect(new Date(periodEnd("month", Date.parse("2026-02-10T12:00:00Z"))).toISOString()).toBe(
      "2026-03-01T00:00:00.000Z",
    );
  });
});
