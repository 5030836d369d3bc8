// The layering of seedrun, checked by `npm run deps` (dependency-cruiser) as part of `npm test`.
// Type-only imports count: a cycle through types still ties the files together for a reader and
// for the next refactor.
//
//   entry      src/index.ts (worker entry, exports the Durable Object classes)
//              → src/http/ (the HTTP layer: app, middleware, openapi/ shared answers, routes/ one file per resource)
//   features   jobs/ (by phase, with gate/ and stats/; see src/jobs/README.md) batches/ schedules/ webhooks/ idempotency/ (what the
//              product does), schemas/ (the contract: zod schemas and validation) and db/ (all D1 SQL)
//   adapters   providers/ (WeShop, Wiro: clients only) and media/ (R2, signed links)
//   base       lib/ (the error catalogue problems.ts, errors, log, crypto, validation); config.ts (settings) sits just above it
//
// Imports point down that list (features may use each other, never in a cycle) and never up into
// the HTTP layer. A Durable Object class file is imported by the entry alone: everyone else uses
// its small *-client.ts (interface + stub builder), which imports no class, so Durable Objects
// that call each other do not import each other. The simulator models the real providers and
// shares no code with src/ in either direction.

/** Durable Object class files: every one is named `*-object.ts` (a Workflows class, `*-workflow.ts`). */
const DURABLE_OBJECT_FILES = ["-object\\.ts$", "-workflow\\.ts$"];

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
        "Only the worker entry and the HTTP layer itself may import src/http/: what the routes define (specs, context) must live below them.",
      from: { path: "^src/", pathNot: ["^src/index\\.ts$", "^src/http/"] },
      to: { path: "^src/http/" },
    },
    {
      name: "routes-are-leaves",
      comment:
        "A route file (src/http/routes/) is mounted by app.ts; what several routes share (answers, examples, params) lives in src/http/openapi/ or below, never in another route file's exports — a route may use a sibling's only within its own resource folder or for a sub-resource (batches list their jobs like /v1/jobs, quotes price a pipeline).",
      from: { path: "^src/", pathNot: ["^src/http/app\\.ts$", "^src/http/routes/"] },
      to: { path: "^src/http/routes/" },
    },
    {
      name: "durable-objects-through-clients",
      severity: "error",
      comment:
        "Only the worker entry imports a Durable Object class file; callers import its *-client.ts, so objects that call each other (job ⇄ batch, job ⇄ webhook delivery) never import each other.",
      from: { path: "^src/", pathNot: "^src/index\\.ts$" },
      to: { path: DURABLE_OBJECT_FILES },
    },
    {
      name: "job-decisions-do-no-io",
      severity: "error",
      comment:
        "In src/jobs/<phase>/, <phase>.ts and the other decision files are pure (the job, an answer and a Tick in, the new job out): requests, storage and bindings belong to the *-io.ts files, machine/act.ts, poll/run-times.ts, hand-overs/outbox.ts and hand-overs/finish-record.ts (see src/jobs/README.md).",
      from: {
        path: "^src/jobs/(machine|submit|poll|copy|stop|hand-overs)/[^/]+\\.ts$",
        pathNot: [
          "-io\\.ts$",
          "^src/jobs/machine/act\\.ts$",
          "^src/jobs/poll/run-times\\.ts$",
          "^src/jobs/hand-overs/(outbox|finish-record)\\.ts$",
        ],
      },
      to: {
        path: [
          "-io\\.ts$",
          "^src/jobs/machine/act\\.ts$",
          "^src/jobs/poll/run-times\\.ts$",
          "^src/jobs/hand-overs/(outbox|finish-record)\\.ts$",
          "-(object|workflow)\\.ts$",
          "-client\\.ts$",
          "^src/(db|media|webhooks|budgets|batches|pipelines)/",
          "^src/providers/(index|http|weshop|wiro)",
          "^src/config\\.ts$",
        ],
        // the gate's lease length, a constant, is what machine/policies.ts takes from gate-client.ts
        pathNot: "^src/jobs/gate/gate-client\\.ts$",
        dependencyTypesNot: ["type-only"],
      },
    },
    {
      name: "schemas-are-plain-contract",
      severity: "error",
      comment:
        "schemas/ (what clients send) is validation only: it builds on lib/, the model table and the job record's plain types, never on Durable Objects, D1, media or webhooks.",
      from: { path: "^src/schemas/" },
      to: {
        path: "^src/",
        pathNot: [
          "^src/schemas/",
          "^src/lib/",
          "^src/providers/models\\.ts$",
          "^src/providers/catalogue/",
          "^src/jobs/record\\.ts$",
        ],
      },
    },
    {
      name: "openapi-library-in-http-only",
      severity: "error",
      comment:
        "Route definitions (createRoute, OpenAPIHono) belong to src/http/; schemas/ stays plain zod (`.meta()` only), so the contract can be read and reused without the HTTP layer.",
      from: { path: "^src/", pathNot: "^src/http/" },
      to: { path: "node_modules/@hono/zod-openapi" },
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
      comment:
        "Provider clients know their provider, not jobs, batches, webhooks, client specs, D1 or HTTP routes; the concurrency gate, which wakes jobs, lives in jobs/gate/.",
      from: { path: "^src/providers/" },
      to: { path: ["^src/(jobs|batches|schedules|webhooks|idempotency|schemas|http|db)/", "^src/index\\.ts$"] },
    },
    {
      name: "media-above-base-only",
      severity: "error",
      comment: "media/ (R2 copies, signed links, the /media route's pieces) builds on lib/ and config only.",
      from: { path: "^src/media/" },
      to: {
        path: ["^src/(jobs|batches|schedules|webhooks|idempotency|schemas|http|db|providers)/", "^src/index\\.ts$"],
      },
    },
    {
      name: "config-above-lib-only",
      severity: "error",
      comment:
        "config.ts (the settings check) sits just above lib/: everything reads settings, so settings import nothing of ours but lib/.",
      from: { path: "^src/config\\.ts$" },
      to: { path: "^src/", pathNot: ["^src/lib/", "^src/config\\.ts$"] },
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
    // node_modules is not followed but not excluded either: the npm-package rules (dev dependencies,
    // the OpenAPI library) need to see imports of packages
    exclude: { path: ["^worker-configuration\\.d\\.ts$"] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
