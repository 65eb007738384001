import { toJson } from "@bufbuild/protobuf";
import { ApplyTestResponse_Outcome, ApplyTestResponseSchema } from "@tstr/proto";
import type { CommandContext, CommandSpec } from "../cli/command-spec.js";
import { CliError, usageError } from "../cli-error.js";
import { describeError, isFatalCallError } from "../client/describe-error.js";
import { documentLabel, loadTestDefinitions, type TestDefinition } from "../definitions/load-test-definitions.js";
import { renderJson } from "../output/output-format.js";

const OUTCOME_WORD: Record<ApplyTestResponse_Outcome, string> = {
  [ApplyTestResponse_Outcome.UNSPECIFIED]: "applied",
  [ApplyTestResponse_Outcome.CREATED]: "created",
  [ApplyTestResponse_Outcome.UPDATED]: "updated",
  [ApplyTestResponse_Outcome.UNCHANGED]: "unchanged",
};

/**
 * `tstrctl test apply -f …`: validates every document locally first (nothing is applied if any
 * fails), then applies each with ControlService.ApplyTest. A server refusal of one document does
 * not stop the rest; an unreachable server or a rejected token does.
 */
export const testApplyCommand: CommandSpec = {
  path: ["test", "apply"],
  summary: "Create or update tests from YAML or JSON files",
  synopsis: "test apply -f FILE|DIR [-f …] [--dry-run] [-o table|json|yaml]",
  description: [
    "Creates or updates tests (by namespace and name) from definition files. A directory means every",
    "*.yaml, *.yml and *.json below it; a file may hold several documents (YAML ---, or a JSON array);",
    "-f - reads standard input. A document without a namespace uses -n or the context's namespace.",
  ].join("\n"),
  options: { filename: { type: "string", short: "f", multiple: true }, "dry-run": { type: "boolean" } },
  flagHelp: [
    ["-f, --filename PATH", "a file, a directory or - (stdin); repeatable (required)"],
    ["    --dry-run", "validate on the server and report what would change, without writing"],
  ],
  output: true,
  args: { min: 0, max: 0 },
  async run(context) {
    const { flags, usage, io, target } = context;
    const paths = flags.strings("filename");
    if (paths.length === 0) throw usageError("at least one -f FILE|DIR is required", usage);
    if (paths.includes("-") && io.stdinIsTTY)
      throw usageError("-f - reads standard input, but it is a terminal", usage);
    const { namespace } = await target();
    const loaded = await loadTestDefinitions(paths, {
      cwd: io.cwd,
      readStdin: io.readStdin,
      defaultNamespace: namespace,
    });
    for (const problem of loaded.problems) io.stderr(`tstrctl: ${problem}\n`);
    if (loaded.problems.length > 0) {
      throw new CliError(`${plural(loaded.problems.length, "problem")} found; nothing was applied`);
    }
    if (loaded.tests.length === 0) throw new CliError(`no test documents found in ${paths.join(", ")}`);
    return applyAll(context, loaded.tests, flags.boolean("dry-run"));
  },
};

async function applyAll(context: CommandContext, tests: TestDefinition[], dryRun: boolean): Promise<number> {
  const { io, output } = context;
  const { control } = await context.clients();
  const { addr } = await context.target();
  const results: unknown[] = [];
  let failures = 0;
  for (const { file, index, request } of tests) {
    const ref = `test/${request.namespace}/${request.name}`;
    try {
      const response = await control.applyTest(
        { test: request, dryRun },
        { headers: { namespace: request.namespace } },
      );
      results.push(toJson(ApplyTestResponseSchema, response));
      if (output === "table") io.stdout(`${ref} ${OUTCOME_WORD[response.outcome]}${dryRun ? " (dry run)" : ""}\n`);
    } catch (error) {
      if (isFatalCallError(error)) throw error;
      failures += 1;
      io.stderr(`tstrctl: ${documentLabel(file, index)}: ${ref}: ${describeError(error, { addr }).message}\n`);
    }
  }
  if (output !== "table") io.stdout(renderJson(results, output));
  if (failures > 0) throw new CliError(`${plural(failures, "test")} of ${tests.length} could not be applied`);
  return 0;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
