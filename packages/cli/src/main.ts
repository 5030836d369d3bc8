#!/usr/bin/env node
// seedrun: the command line for a seedrun server, on commander (arguments) and cli-progress
// (the live bar). See docs/cli.md. Exit codes: 0 succeeded, 1 failed or canceled, 2 bad usage
// or a request the API refused.
import { Seedrun } from "@seedrun/client";
import { Command, CommanderError } from "commander";
import {
  batchCommand,
  jobsList,
  jobsShow,
  keysCommand,
  modelsCommand,
  pipelineCommand,
  quoteCommand,
} from "./commands.ts";
import { EXIT, printJson, report } from "./output.ts";
import { collect } from "./params.ts";
import { runCommand, waitCommand } from "./run.ts";

interface Globals {
  url?: string;
  key?: string;
  json?: boolean;
}

const program = new Command();
program
  .name("seedrun")
  .description("Run Seedance and Seedream jobs on a seedrun server")
  .version("0.1.0")
  .option("--url <url>", "the server (default: SEEDRUN_URL, else http://127.0.0.1:8787)")
  .option("--key <key>", "the API key (default: SEEDRUN_API_KEY)")
  .option("--json", "print machine-readable JSON on stdout")
  .exitOverride()
  .showHelpAfterError();

/** Wraps a command: builds the client from the global options, runs, and exits with the command's code. */
function action<A extends unknown[]>(
  body: (sr: Seedrun, globals: Required<Pick<Globals, "json">>, ...args: A) => Promise<number>,
) {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const globals = command.optsWithGlobals<Globals>();
    const sr = new Seedrun({
      ...(globals.url ? { baseUrl: globals.url } : {}),
      ...(globals.key ? { apiKey: globals.key } : {}),
    });
    let code: number;
    try {
      code = await body(sr, { json: Boolean(globals.json) }, ...(args.slice(0, -1) as A));
    } catch (err) {
      code = report(err, Boolean(globals.json));
    }
    // the fetch pool may hold idle sockets open; the answer is printed, so leave now
    process.stdout.write("", () => process.exit(code));
  };
}

program
  .command("run <model>")
  .description("create a job, follow it with a progress bar, download and check its outputs")
  .option("-p, --param <name=value>", "a param (JSON when it parses, else a string); repeatable", collect, [])
  .option("--file <field=path>", "upload a local file and pass its URL in FIELD; repeatable", collect, [])
  .option("--out <dir>", "where outputs are downloaded", ".")
  .option("--no-wait", "print the job id at once and do not wait")
  .action(
    action((sr, g, model: string, o: { param: string[]; file: string[]; out: string; wait: boolean }) =>
      runCommand(sr, model, { ...o, json: g.json }),
    ),
  );

const jobs = program.command("jobs").description("list, show, wait for, cancel and delete jobs");
jobs
  .command("list")
  .option("--status <status>", "only jobs in this status")
  .option("--model <model>", "only jobs of this model")
  .option("--limit <n>", "how many (newest first)", "20")
  .option("--all", "every job, page after page")
  .action(action((sr, g, o: { status?: string; model?: string; limit: string; all?: boolean }) => jobsList(sr, o, g)));
jobs.command("get <id>").action(action(async (sr, g, id: string) => jobsShow(await sr.jobs.get(id), g)));
jobs
  .command("wait <id>")
  .description("follow a job until it ends (exit 0 succeeded, 1 otherwise); --out downloads its outputs")
  .option("--out <dir>", "download the outputs here")
  .action(
    action((sr, g, id: string, o: { out?: string }) =>
      waitCommand(sr, id, { json: g.json, out: o.out ?? ".", download: o.out !== undefined }),
    ),
  );
jobs.command("cancel <id>").action(action(async (sr, g, id: string) => jobsShow(await sr.jobs.cancel(id), g)));
jobs.command("delete <id>").action(
  action(async (sr, g, id: string) => {
    await sr.jobs.delete(id);
    if (g.json) printJson({ deleted: id });
    return EXIT.ok;
  }),
);

program
  .command("batch <file>")
  .description("start a batch from a JSONL file (one JobSpec a line), follow it, download its outputs")
  .option("--out <dir>", "where outputs are downloaded", ".")
  .option("--no-wait", "print the batch id at once")
  .action(
    action((sr, g, file: string, o: { out: string; wait: boolean }) => batchCommand(sr, file, { ...o, json: g.json })),
  );

program
  .command("pipeline <file>")
  .description("start a pipeline from a JSON file ({steps: […]}), follow it, download its outputs")
  .option("--out <dir>", "where outputs are downloaded", ".")
  .option("--no-wait", "print the pipeline id at once")
  .action(
    action((sr, g, file: string, o: { out: string; wait: boolean }) =>
      pipelineCommand(sr, file, { ...o, json: g.json }),
    ),
  );

program
  .command("quote <model>")
  .description("what a job would cost (creates nothing)")
  .option("-p, --param <name=value>", "a param; repeatable", collect, [])
  .action(action((sr, g, model: string, o: { param: string[] }) => quoteCommand(sr, model, o.param, g)));

program
  .command("models [id]")
  .description("the models, or one model with its params schema")
  .action(action((sr, g, id: string | undefined) => modelsCommand(sr, id, g)));

program
  .command("keys <action> [nameOrId]")
  .description("keys list | keys create NAME --scope S… | keys delete ID")
  .option(
    "--scope <scope>",
    "a scope of the new key (read, jobs:write, schedules:write, budget:write, keys:write); repeatable",
    collect,
    [],
  )
  .option("--expires-at <time>", "ISO time the new key stops working")
  .action(
    action((sr, g, act: string, nameOrId: string | undefined, o: { scope: string[]; expiresAt?: string }) =>
      keysCommand(
        sr,
        act,
        {
          ...(act === "create" ? { name: nameOrId } : { id: nameOrId }),
          scope: o.scope,
          ...(o.expiresAt ? { expiresAt: o.expiresAt } : {}),
        } as never,
        g,
      ),
    ),
  );

try {
  await program.parseAsync();
} catch (err) {
  if (err instanceof CommanderError) {
    const clean =
      err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help";
    process.exit(clean ? EXIT.ok : EXIT.usage);
  }
  throw err;
}
