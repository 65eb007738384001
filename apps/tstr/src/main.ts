#!/usr/bin/env node
import { runCli } from "@tstr/cli";
import { cliIo } from "./cli-io.js";
import { devCommand } from "./commands/dev.js";
import { KEYGEN_USAGE, keygenCommand } from "./commands/keygen.js";
import { migrateCommand } from "./commands/migrate.js";
import { runnerCommand } from "./commands/runner.js";
import { serveCommand } from "./commands/serve.js";
import {
  ConfigError,
  DEV_USAGE,
  MIGRATE_USAGE,
  parseDevConfig,
  parseMigrateConfig,
  parseServeConfig,
  SERVE_USAGE,
} from "./config.js";
import { parseRunnerConfig, RUNNER_USAGE } from "./runner-config.js";

const USAGE = `usage: tstr <command> [flags]

commands:
  serve     run the control plane (Connect, gRPC, gRPC-Web and JSON on one port)
  runner    run a runner agent: receives runs and executes them on Docker or as processes
  migrate   apply pending database migrations
  dev       run everything locally with an embedded PostgreSQL; prints URL and admin token
  keygen    print a new token signing key (JWK JSON) for --signing-key-file
  ctl       the CLI (same as tstrctl): tstr ctl --help

Run 'tstr <command> --help' for its flags.
`;

/** The single tstr binary: dispatches to a subcommand and turns failures into one-line errors. */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  const wantsHelp = rest.includes("--help") || rest.includes("-h");
  try {
    switch (command) {
      case "serve":
        if (wantsHelp) return help(SERVE_USAGE);
        await serveCommand(parseServeConfig(rest, process.env));
        return 0;
      case "migrate":
        if (wantsHelp) return help(MIGRATE_USAGE);
        await migrateCommand(parseMigrateConfig(rest, process.env));
        return 0;
      case "dev":
        if (wantsHelp) return help(DEV_USAGE);
        await devCommand(parseDevConfig(rest, process.env));
        return 0;
      case "runner":
        if (wantsHelp) return help(RUNNER_USAGE);
        await runnerCommand(parseRunnerConfig(rest, process.env));
        return 0;
      case "keygen":
        if (wantsHelp) return help(KEYGEN_USAGE);
        await keygenCommand();
        return 0;
      case "ctl":
        return await runCli(rest, cliIo());
      default:
        process.stderr.write(`tstr: unknown command "${command}"\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`tstr ${command}: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`tstr ${command}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

function help(text: string): number {
  process.stdout.write(text);
  return 0;
}

const invokedAs = process.argv[1] ?? "";
const argv = /tstrctl(\.m?[jt]s)?$/.test(invokedAs) ? ["ctl", ...process.argv.slice(2)] : process.argv.slice(2);
main(argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`tstr: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
