import type { ParseArgsOptionsConfig } from "node:util";
import type { CliIo } from "../cli-io.js";
import type { ApiClients } from "../client/api-clients.js";
import type { ResolvedTarget } from "../config/resolve-target.js";
import type { OutputFormat } from "../output/output-format.js";
import type { ParsedFlags } from "./parsed-flags.js";

/** A leaf command such as `test apply`: its words, help text, flags and behaviour. */
export interface CommandSpec {
  /** The words that select it, e.g. ["test", "apply"]. */
  path: readonly string[];
  /** One line for the group's command list. */
  summary: string;
  /** What follows `tstrctl` in the usage line, e.g. "test get NAME|ID [-o table|json|yaml]". */
  synopsis: string;
  /** A paragraph shown under the usage line. */
  description?: string;
  /** Flags beyond the global ones, with their help lines. */
  options: ParseArgsOptionsConfig;
  flagHelp: readonly (readonly [string, string])[];
  /** Whether `-o table|json|yaml` applies. */
  output?: boolean;
  /** How many positional arguments it takes. */
  args: { min: number; max: number };
  /** Runs the command and returns its exit code; failures are thrown (see CliError). */
  run(context: CommandContext): Promise<number>;
}

/** What a running command gets: its arguments and lazily created connection. */
export interface CommandContext {
  io: CliIo;
  args: string[];
  flags: ParsedFlags;
  output: OutputFormat;
  /** This command's usage text, for usage errors raised while running. */
  usage: string;
  configPath: string;
  /** Resolves flags, environment and config file into the API target (no network). */
  target(): Promise<ResolvedTarget>;
  /** Connect clients for the resolved target. */
  clients(): Promise<ApiClients>;
}

/** A word grouping leaf commands (`token`, `test`, `config`). */
export interface CommandGroup {
  name: string;
  summary: string;
}
