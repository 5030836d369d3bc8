// The npm registry these machines reach has no darwin/windows builds of the workerd versions
// wrangler pins, so `npm install` leaves them out of package-lock.json and `npm ci` then refuses
// the lock ("Missing: @cloudflare/workerd-darwin-64"). This adds the optional platform entries
// (never installed on Linux) so the lock is complete. Run after any `npm install`:
//   node .ci/lockfile-platforms.mjs
import { readFileSync, writeFileSync } from "node:fs";

const path = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(path, "utf8"));
const platforms = {
  "darwin-64": ["darwin", "x64"],
  "darwin-arm64": ["darwin", "arm64"],
  "linux-64": ["linux", "x64"],
  "linux-arm64": ["linux", "arm64"],
  "windows-64": ["win32", "x64"],
};
const added = [];
for (const [key, entry] of Object.entries(lock.packages)) {
  if (!key.endsWith("node_modules/workerd")) continue;
  const prefix = key.slice(0, -"workerd".length);
  for (const [name, [os, cpu]] of Object.entries(platforms)) {
    const dep = `${prefix}@cloudflare/workerd-${name}`;
    if (lock.packages[dep] || !entry.optionalDependencies?.[`@cloudflare/workerd-${name}`]) continue;
    lock.packages[dep] = {
      version: entry.version,
      cpu: [cpu],
      dev: true,
      license: "Apache-2.0",
      optional: true,
      os: [os],
      engines: { node: ">=16" },
    };
    added.push(dep);
  }
}
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : a > b ? 1 : 0)),
);
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(added.length ? `added ${added.join(", ")}` : "lockfile already complete");
