// The layering of seedrun, checked by `npm run deps` (dependency-cruiser). Type-only imports count:
// a cycle through types still ties the files together for a reader and for the next refactor.
//
//   entry      src/index.ts (worker entry) → src/app.ts + src/api/ (the HTTP layer)
//   features   jobs/ batches/ webhooks/ index-db/ (what the product does)
//   adapters   providers/ (WeShop, Wiro) and media/ (R2, signed links)
//   base       lib/ (errors, log, crypto, validation); config.ts (settings) sits just above it
//
// Imports point down that list (features may use each other, never in a cycle) and never up into
// the HTTP layer. The simulator models the real providers and shares no code with src/ in either
// direction.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      severity: "error",
      comment: "Import cycles hide the order of the flow and make every file in the cycle depend on all the others.",
      from: {},
      to: { circular: true },
    },
    {
      name: "nothing-imports-http-layer",
      severity: "error",
      comment:
        "Only the worker entry and the HTTP layer itself may import src/app.ts or src/api/: what the routes define (specs, context) must live below them.",
      from: { path: "^src/", pathNot: ["^src/index\\.ts$", "^src/app\\.ts$", "^src/api/"] },
      to: { path: ["^src/app\\.ts$", "^src/api/"] },
    },
    {
      name: "src-not-to-simulator-or-tests",
      severity: "error",
      comment: "Production code never depends on the simulator or the tests.",
      from: { path: "^src/" },
      to: { path: ["^simulator/", "^test/"] },
    },
    {
      name: "simulator-not-to-src",
      severity: "error",
      comment: "The simulator is a model of the real providers written from PROVIDERS.md, not of our client.",
      from: { path: "^simulator/" },
      to: { path: "^src/" },
    },
    {
      name: "providers-know-no-features",
      severity: "error",
      comment: "Provider clients know their provider, not jobs, batches, webhooks or HTTP routes.",
      from: { path: "^src/providers/" },
      to: { path: ["^src/(jobs|batches|webhooks|api|index-db)/", "^src/app\\.ts$", "^src/index\\.ts$"] },
    },
    {
      name: "media-above-base-only",
      severity: "error",
      comment: "media/ (R2 copies, signed links, the /media route's pieces) builds on lib/ and config only.",
      from: { path: "^src/media/" },
      to: { path: ["^src/(jobs|batches|webhooks|api|index-db|providers)/", "^src/app\\.ts$", "^src/index\\.ts$"] },
    },
    {
      name: "lib-is-the-base",
      severity: "error",
      comment: "lib/ is shared by everything, so it imports nothing of ours but lib/.",
      from: { path: "^src/lib/" },
      to: { path: "^src/", pathNot: "^src/lib/" },
    },
    {
      name: "src-not-to-dev-dependencies",
      severity: "error",
      comment: "The worker bundles only runtime dependencies; devDependencies are for tests and tools.",
      from: { path: "^src/" },
      to: { dependencyTypes: ["npm-dev"], dependencyTypesNot: ["type-only"] },
    },
    {
      name: "no-unresolvable",
      severity: "error",
      comment: "Every import resolves (platform modules such as cloudflare:workers aside).",
      from: {},
      to: { couldNotResolve: true, pathNot: "^cloudflare:" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: ["^node_modules/", "^worker-configuration\\.d\\.ts$"] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default", "types"] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
