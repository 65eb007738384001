import { type ParseArgsOptionsConfig, parseArgs } from "node:util";
import { COMMAND_GROUPS, COMMANDS } from "./cli/command-registry.js";
import type { CommandSpec } from "./cli/command-spec.js";
import { createCommandContext } from "./cli/create-command-context.js";
import { parsedFlags, type RawFlagValues } from "./cli/parsed-flags.js";
import { commandUsage, groupUsage, rootUsage } from "./cli/usage.js";
import { CliError, usageError } from "./cli-error.js";
import type { CliIo } from "./cli-io.js";
import { type CallSite, describeError } from "./client/describe-error.js";

const GLOBAL_OPTIONS: ParseArgsOptionsConfig = {
  addr: { type: "string" },
  token: { type: "string" },
  namespace: { type: "string", short: "n" },
  context: { type: "string" },
  help: { type: "boolean", short: "h" },
};

const OUTPUT_OPTIONS: ParseArgsOptionsConfig = { output: { type: "string", short: "o" } };

/**
 * Runs one `tstrctl` invocation (`argv` without the program name) and returns its exit code:
 * 0 success, 1 the operation failed, 2 the command line was wrong. It never exits the process
 * and never prints a stack trace: failures become `tstrctl: <message>` plus an optional hint.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const site: CallSite = {};
  try {
    return await dispatch(argv, io, site);
  } catch (error) {
    const report = describeError(error, site);
    io.stderr(`tstrctl: ${report.message}\n`);
    if (report.hint) io.stderr(`hint: ${report.hint}\n`);
    if (error instanceof CliError && error.options.usage) io.stderr(`\n${error.options.usage}`);
    return error instanceof CliError ? error.exitCode : 1;
  }
}

async function dispatch(argv: string[], io: CliIo, site: CallSite): Promise<number> {
  const scan = scanWords(argv);
  const wantsHelp = scan.help || scan.words[0] === "help";
  const words = scan.words[0] === "help" ? scan.words.slice(1) : scan.words;
  const command = COMMANDS.find((c) => c.path.every((word, i) => words[i] === word));
  if (!command) return showGroupOrFail(words, wantsHelp, io);
  const usage = commandUsage(command);
  if (wantsHelp) {
    io.stdout(usage);
    return 0;
  }
  const parsed = parseStrict(argv, command, usage);
  const args = parsed.positionals.slice(command.path.length);
  if (args.length < command.args.min) throw usageError("missing argument", usage);
  if (args.length > command.args.max)
    throw usageError(`unexpected argument ${JSON.stringify(args[command.args.max])}`, usage);
  const context = createCommandContext({ io, command, flags: parsedFlags(parsed.values), args, usage, site });
  return command.run(context);
}

/** Finds the command words before knowing the command, skipping every known flag's value. */
function scanWords(argv: string[]): { words: string[]; help: boolean } {
  const options: ParseArgsOptionsConfig = { ...GLOBAL_OPTIONS, ...OUTPUT_OPTIONS };
  for (const command of COMMANDS) Object.assign(options, command.options);
  const { values, positionals } = parseArgs({ args: argv, options, strict: false, allowPositionals: true });
  return { words: positionals, help: values.help === true };
}

function parseStrict(
  argv: string[],
  command: CommandSpec,
  usage: string,
): { values: RawFlagValues; positionals: string[] } {
  const options = { ...GLOBAL_OPTIONS, ...(command.output ? OUTPUT_OPTIONS : {}), ...command.options };
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (error) {
    throw usageError(flagProblem(error), usage);
  }
}

function flagProblem(error: unknown): string {
  const { code, message } = error as { code?: string; message: string };
  const quoted = /'([^']+)'/.exec(message)?.[1];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && quoted) return `unknown flag ${quoted}`;
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && quoted && /argument missing/.test(message)) {
    return `flag ${quoted.replace(/ <value>$/, "")} needs a value`;
  }
  return message.charAt(0).toLowerCase() + message.slice(1);
}

function showGroupOrFail(words: string[], wantsHelp: boolean, io: CliIo): number {
  const [first, second] = words;
  const group = COMMAND_GROUPS.find((g) => g.name === first);
  const usage = group ? groupUsage(group, COMMANDS) : rootUsage(COMMAND_GROUPS, COMMANDS);
  if (wantsHelp && (first === undefined || (group && second === undefined))) {
    io.stdout(usage);
    return 0;
  }
  if (first === undefined) throw usageError("missing command", usage);
  if (!group) throw usageError(`unknown command ${JSON.stringify(first)}`, usage);
  if (second === undefined) throw usageError(`missing ${first} command`, usage);
  throw usageError(`unknown command "${first} ${second}"`, usage);
}
