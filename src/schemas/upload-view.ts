// What POST /v1/uploads answers: WeShop's URL of an image, or a file stored in R2.
import { z } from "zod";
import { timestamp } from "./job-view.ts";

export const uploadSchema = z
  .strictObject({
    url: z.url().meta({ description: "WeShop's reusable URL of the image; use it in `params.images`." }),
  })
  .meta({ id: "Upload" });
export type UploadView = z.output<typeof uploadSchema>;

/** A file stored in R2 (POST /v1/uploads with the field `file`). */
export const storedUploadSchema = z
  .strictObject({
    id: z.string().meta({ description: "For `DELETE /v1/uploads/{id}`." }),
    url: z.url().meta({
      description:
        "Signed link to the stored file, valid until `expiresAt` without an API key; use it in any URL param (`images`, `videos`, `audios`, `firstFrame`, `extendVideo`, …).",
    }),
    kind: z.enum(["image", "video", "audio"]),
    contentType: z
      .string()
      .meta({ description: "From the file's bytes, not its name or declared type.", examples: ["video/mp4"] }),
    size: z.int().min(1).meta({ description: "Bytes stored." }),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .meta({ description: "Hex SHA-256 of the bytes stored." }),
    expiresAt: timestamp.meta({ description: "When `url` stops working (at least 7 days on)." }),
  })
  .meta({ id: "StoredUpload" });
export type StoredUploadView = z.output<typeof storedUploadSchema>;
