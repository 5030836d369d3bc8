// Gate requests of a scale run, read from the local Durable Object store after the worker stopped:
// each ProviderGate counts its calls in a one-row table (src/jobs/gate/gate-object.ts, `calls`),
// because Durable Object requests are not visible from outside the runtime locally.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";

function sqliteFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sqliteFiles(path));
    else if (entry.name.endsWith(".sqlite")) out.push(path);
  }
  return out;
}

/** Calls made to every ProviderGate (acquire, renew, release, report, snapshot) under `persistDir`. */
export function gateRequests(persistDir: string): number {
  let total = 0;
  for (const file of sqliteFiles(persistDir).filter((f) => f.includes("ProviderGate"))) {
    const db = new DatabaseSync(file, { readOnly: true });
    try {
      const row = db.prepare("SELECT n FROM calls").get() as { n: number } | undefined;
      total += row?.n ?? 0;
    } catch {
      // a gate that never got a call has no table
    } finally {
      db.close();
    }
  }
  return total;
}
