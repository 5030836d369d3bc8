// What GET /healthz and the Wiro callback route answer.
import { z } from "zod";

export const healthSchema = z
  .union([
    z.strictObject({ status: z.literal("ok") }),
    z.strictObject({
      status: z.literal("misconfigured"),
      problems: z.array(z.string()).meta({ description: "Names of missing or invalid settings (never values)." }),
    }),
  ])
  .meta({ id: "Health" });

/** Answer of the Wiro callback route. */
export const callbackReceivedSchema = z.strictObject({ received: z.literal(true) });
