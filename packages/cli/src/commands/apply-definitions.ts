import { type JsonObject, type JsonValue, toJson } from "@bufbuild/protobuf";
import {
  type DefinitionDocumentOptions,
  documentLabel,
  formatProblem,
  loadDefinitions,
  type ParsedDefinitions,
  type TestDefinition,
} from "@tstr/definitions";
import { ApplyTestResponse_Outcome, ApplyTestResponseSchema } from "@tstr/proto";
import type { CommandContext } from "../cli/command-spec.js";
import { CliError, usageError } from "../cli-error.js";
import type { ApiClients } from "../client/api-clients.js";
import { describeError, isFatalCallError } from "../client/describe-error.js";
import { renderJson } from "../output/output-format.js";

/** The `-f` and `--dry-run` flags shared by `apply` and `test apply`. */
export const APPLY_OPTIONS = {
  filename: { type: "string", short: "f", multiple: true },
  "dry-run": { type: "boolean" },
} as const;

export const APPLY_FLAG_HELP: readonly (readonly [string, string])[] = [
  ["-f, --filename PATH", "a file, a directory or - (stdin); repeatable (required)"],
  ["    --dry-run", "validate on the server and report what would change, without writing"],
];

const OUTCOME_WORD: Record<ApplyTestResponse_Outcome, string> = {
  [ApplyTestResponse_Outcome.UNSPECIFIED]: "applied",
  [ApplyTestResponse_Outcome.CREATED]: "created",
  [ApplyTestResponse_Outcome.UPDATED]: "updated",
  [ApplyTestResponse_Outcome.UNCHANGED]: "unchanged",
};

/**
 * Reads the `-f` paths and checks every document locally. Every problem is printed, and then the
 * command fails before any call: a bad file never leaves half of a change applied.
 */
export async function loadDefinitionsToApply(
  context: CommandContext,
  options: DefinitionDocumentOptions = {},
): Promise<ParsedDefinitions> {
  const { flags, usage, io, target } = context;
  const paths = flags.strings("filename");
  if (paths.length === 0) throw usageError("at least one -f FILE|DIR is required", usage);
  if (paths.includes("-") && io.stdinIsTTY) throw usageError("-f - reads standard input, but it is a terminal", usage);
  const { namespace } = await target();
  const loaded = await loadDefinitions(paths, {
    cwd: io.cwd,
    readStdin: io.readStdin,
    defaultNamespace: namespace,
    ...options,
  });
  for (const problem of loaded.problems) io.stderr(`tstrctl: ${formatProblem(problem)}\n`);
  if (loaded.problems.length > 0) {
    throw new CliError(`${plural(loaded.problems.length, "problem")} found; nothing was applied`);
  }
  return loaded;
}

/** One definition to send: where it came from, how output names it, and the call that applies it. */
export interface ApplyStep {
  file: string;
  index: number;
  /** How output lines name it, e.g. "test/dev/web" or "suite/dev/smoke". */
  ref: string;
  send(dryRun: boolean): Promise<{ outcome: ApplyTestResponse_Outcome; json: JsonValue }>;
}

/**
 * The ApplyTest call of one test document, in the document's namespace. `tagKind` adds
 * `kind: "Test"` to its JSON output, for `tstrctl apply`, whose output mixes tests and suites.
 */
export function testStep(
  control: ApiClients["control"],
  { file, index, request }: TestDefinition,
  options: { tagKind?: boolean } = {},
): ApplyStep {
  return {
    file,
    index,
    ref: `test/${request.namespace}/${request.name}`,
    async send(dryRun) {
      const headers = { namespace: request.namespace };
      const response = await control.applyTest({ test: request, dryRun }, { headers });
      const json = toJson(ApplyTestResponseSchema, response) as JsonObject;
      return { outcome: response.outcome, json: options.tagKind ? { kind: "Test", ...json } : json };
    },
  };
}

/**
 * Sends each step in order, printing "<ref> <outcome>" (or collecting the JSON responses for
 * -o json|yaml). A server refusal of one definition does not stop the rest; an unreachable server
 * or a rejected token does. Fails at the end when any definition was refused.
 */
export async function applySteps(context: CommandContext, steps: readonly ApplyStep[], noun: string): Promise<number> {
  const { io, output, flags } = context;
  const dryRun = flags.boolean("dry-run");
  const { addr } = await context.target();
  const results: JsonValue[] = [];
  let failures = 0;
  for (const step of steps) {
    try {
      const { outcome, json } = await step.send(dryRun);
      results.push(json);
      const note = dryRun ? " (dry run)" : "";
      if (output === "table") io.stdout(`${step.ref} ${OUTCOME_WORD[outcome]}${note}\n`);
    } catch (error) {
      if (isFatalCallError(error)) throw error;
      failures += 1;
      const message = describeError(error, { addr }).message;
      io.stderr(`tstrctl: ${documentLabel(step.file, step.index)}: ${step.ref}: ${message}\n`);
    }
  }
  if (output !== "table") io.stdout(renderJson(results, output));
  if (failures > 0) throw new CliError(`${plural(failures, noun)} of ${steps.length} could not be applied`);
  return 0;
}

/** "1 problem", "2 problems". */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
