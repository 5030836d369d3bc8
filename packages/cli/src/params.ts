// `-p name=value` (JSON when it parses: numbers, booleans, arrays; else the string) and
// `--file FIELD=PATH` (the file is uploaded; its URL goes in FIELD, as an array element when
// the model's schema makes FIELD an array).
import { openAsBlob } from "node:fs";
import { basename } from "node:path";
import type { Seedrun } from "@seedrun/client";

export class UsageError extends Error {}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function split(pair: string, flag: string): [string, string] {
  const at = pair.indexOf("=");
  if (at <= 0) throw new UsageError(`${flag} ${pair}: expected NAME=VALUE`);
  return [pair.slice(0, at), pair.slice(at + 1)];
}

export function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function parseParams(pairs: string[]): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const pair of pairs) {
    const [name, value] = split(pair, "-p");
    params[name] = parseValue(value);
  }
  return params;
}

/** Uploads each `--file` and sets its URL into `params`; arrays where the model's schema says so. */
export async function addFiles(
  sr: Seedrun,
  model: string,
  params: Record<string, unknown>,
  pairs: string[],
): Promise<void> {
  if (pairs.length === 0) return;
  const files = pairs.map((pair) => split(pair, "--file"));
  const schema = (await sr.models.get(model)) as { paramsSchema?: { properties?: Record<string, { type?: unknown }> } };
  const properties = schema.paramsSchema?.properties ?? {};
  const unknown = files.map(([field]) => field).filter((field) => !(field in properties));
  if (unknown.length > 0) throw new UsageError(`--file: ${model} has no param ${unknown.join(", ")}`);
  for (const [field, path] of files) {
    let blob: Blob;
    try {
      blob = await openAsBlob(path);
    } catch {
      throw new UsageError(`--file ${field}=${path}: cannot read ${path}`);
    }
    const upload = await sr.uploads.create(blob, { filename: basename(path) });
    if (properties[field]?.type === "array") {
      const existing = params[field];
      params[field] = [...(Array.isArray(existing) ? existing : existing === undefined ? [] : [existing]), upload.url];
    } else params[field] = upload.url;
  }
}
