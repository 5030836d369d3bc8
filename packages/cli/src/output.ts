// Printing results and choosing the exit code: 0 succeeded, 1 failed or canceled (or could not
// finish), 2 bad usage or a request the API refused (its field errors shown).
import { SeedrunError } from "@seedrun/client";
import { DownloadError } from "./download.ts";
import { UsageError } from "./params.ts";

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Reports an error on stderr (or as JSON on stdout with --json) and returns the exit code it means. */
export function report(err: unknown, json: boolean): number {
  if (err instanceof UsageError) {
    process.stderr.write(`error: ${err.message}\n`);
    return EXIT.usage;
  }
  if (err instanceof SeedrunError) {
    const usage = err.status >= 400 && err.status < 500 && err.status !== 408 && err.status !== 429;
    if (json)
      printJson({
        error: {
          status: err.status,
          code: err.code,
          title: err.title,
          detail: err.detail,
          errors: err.errors,
          requestId: err.requestId,
        },
        job: err.job,
      });
    else {
      const where = err.requestId ? ` (request ${err.requestId})` : "";
      process.stderr.write(`error: ${err.code}: ${err.detail ?? err.title}${where}\n`);
      for (const field of err.errors) process.stderr.write(`  ${field.path}: ${field.message}\n`);
    }
    return usage ? EXIT.usage : EXIT.failed;
  }
  if (err instanceof DownloadError) {
    process.stderr.write(`error: download failed: ${err.message}\n`);
    return EXIT.failed;
  }
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  return EXIT.failed;
}
