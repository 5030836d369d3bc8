// Settings the worker runs with under test: providers point at the in-process simulator.
import { DYNAMIC_PRICE } from "../../simulator/wiro-pricing.ts";

export const SIM_ORIGIN = "http://127.0.0.1:8790";
/** The simulator's second Wiro project, created as "API Key Only" (not a worker setting). */
export const SIM_WIRO_KEY_ONLY_API_KEY = "sim-wiro-keyonly-key";

export const TEST_BINDINGS = {
  API_KEYS: "test-key-a,test-key-b",
  SIGNING_SECRET: "test-signing-secret-0123456789",
  WESHOP_API_KEY: "sim-weshop-key",
  WIRO_API_KEY: "sim-wiro-key",
  WIRO_API_SECRET: "sim-wiro-secret",
  WESHOP_BASE_URL: `${SIM_ORIGIN}/weshop/openapi`,
  WIRO_BASE_URL: `${SIM_ORIGIN}/wiro/v1`,
  PROVIDER_TIMEOUT_MS: "300",
  MEDIA_TIMEOUT_MS: "3000",
  PUBLIC_BASE_URL: "https://seedrun.test",
  // whsec_ + base64 of 24 bytes, as Standard Webhooks secrets are written
  WEBHOOK_SECRET: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  WEBHOOK_TIMEOUT_MS: "300",
  // small caps, as on a small provider account: the tests run with the gate in the way
  WESHOP_MAX_CONCURRENCY: "4",
  WIRO_MAX_CONCURRENCY: "2",
  // the simulator's published Wiro prices, copied into configuration as an operator would
  WIRO_PRICE_TABLE: JSON.stringify(DYNAMIC_PRICE.map(({ inputs, price }) => ({ inputs, price }))),
  // development mode: the simulator's loopback output URLs and loopback webhook targets are accepted
  SEEDRUN_DEV: "1",
  // no per-key rate limit in the suite (its tests drive one key hard); test/keys/rate-limit.test.ts sets one
  RATE_LIMIT_PER_MINUTE: "0",
  // the operator's key: the admin routes exist (test/keys/admin.test.ts also runs without it)
  ADMIN_API_KEY: "test-admin-key-0123456789",
} as const;
