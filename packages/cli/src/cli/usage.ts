import type { CommandGroup, CommandSpec } from "./command-spec.js";

/** The program name in help text; `tstr ctl …` behaves the same. */
export const PROGRAM = "tstrctl";

const GLOBAL_FLAG_HELP: readonly (readonly [string, string])[] = [
  ["    --addr URL", "API address (env TSTR_ADDR; default http://127.0.0.1:7420)"],
  ["    --token TOKEN", "access token (env TSTR_TOKEN)"],
  ["-n, --namespace NS", 'namespace (env TSTR_NAMESPACE; default "default")'],
  ["    --context NAME", "context from the config file (env TSTR_CONTEXT)"],
  ["-h, --help", "show help"],
];

const OUTPUT_FLAG_HELP = ["-o, --output FORMAT", "table (default), json or yaml"] as const;

/** `tstrctl --help`: the groups and the global flags. */
export function rootUsage(groups: readonly CommandGroup[], commands: readonly CommandSpec[]): string {
  const topLevel = commands.filter((c) => c.path.length === 1).map((c) => [c.path[0] ?? "", c.summary] as const);
  return [
    `Usage: ${PROGRAM} [flags] <command> [args]`,
    "",
    "tstr command-line client: manage tests, run them and follow their logs, inspect runners,",
    "and manage tokens and connection contexts.",
    "",
    "Commands:",
    columns([...topLevel, ...groups.map((g) => [g.name, g.summary] as const)]),
    "",
    "Global flags:",
    columns(GLOBAL_FLAG_HELP),
    "",
    `Configuration: flags, then TSTR_* environment variables, then the config file ($TSTR_CONFIG or`,
    `~/.config/tstr/config.yaml). Run "${PROGRAM} <command> --help" for a command's flags.`,
    "",
  ].join("\n");
}

/** `tstrctl token --help`: the group's commands. */
export function groupUsage(group: CommandGroup, commands: readonly CommandSpec[]): string {
  const members = commands.filter((c) => c.path[0] === group.name);
  return [
    `Usage: ${PROGRAM} ${group.name} <command> [flags]`,
    "",
    `${group.summary}.`,
    "",
    "Commands:",
    columns(members.map((c) => [c.path.slice(1).join(" "), c.summary] as const)),
    "",
    `Run "${PROGRAM} ${group.name} <command> --help" for a command's flags.`,
    "",
  ].join("\n");
}

/** `tstrctl test apply --help`: synopsis, description, the command's flags and the global ones. */
export function commandUsage(command: CommandSpec): string {
  const flags = command.output ? [...command.flagHelp, OUTPUT_FLAG_HELP] : command.flagHelp;
  const width = Math.max(...[...flags, ...GLOBAL_FLAG_HELP].map(([left]) => left.length));
  return [
    `Usage: ${PROGRAM} ${command.synopsis}`,
    "",
    command.description ?? `${command.summary}.`,
    "",
    ...(flags.length ? ["Flags:", columns(flags, width), ""] : []),
    "Global flags:",
    columns(GLOBAL_FLAG_HELP, width),
    "",
  ].join("\n");
}

function columns(
  rows: readonly (readonly [string, string])[],
  width = Math.max(...rows.map(([left]) => left.length)),
): string {
  return rows.map(([left, right]) => `  ${left.padEnd(width)}   ${right}`).join("\n");
}
