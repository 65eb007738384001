import type { CommandSpec } from "../cli/command-spec.js";
import { CliError } from "../cli-error.js";
import { APPLY_FLAG_HELP, APPLY_OPTIONS, applySteps, loadDefinitionsToApply, testStep } from "./apply-definitions.js";

/**
 * `tstrctl test apply -f …`: validates every document locally first (nothing is applied if any
 * fails), then applies each with ControlService.ApplyTest. Only tests: a suite document is a
 * problem pointing at `tstrctl apply`, which applies both.
 */
export const testApplyCommand: CommandSpec = {
  path: ["test", "apply"],
  summary: "Create or update tests from YAML or JSON files",
  synopsis: "test apply -f FILE|DIR [-f …] [--dry-run] [-o table|json|yaml]",
  description: [
    "Creates or updates tests (by namespace and name) from definition files. A directory means every",
    "*.yaml, *.yml and *.json below it; a file may hold several documents (YAML ---, or a JSON array);",
    "-f - reads standard input. A document without a namespace uses -n or the context's namespace.",
    "Suites in the same files are applied with `tstrctl apply -f`.",
  ].join("\n"),
  options: APPLY_OPTIONS,
  flagHelp: APPLY_FLAG_HELP,
  output: true,
  args: { min: 0, max: 0 },
  async run(context) {
    const { tests } = await loadDefinitionsToApply(context, {
      refuseKind: (kind) =>
        kind === "Test" ? undefined : `${kind} documents are applied with \`tstrctl apply -f\`, not \`test apply\``,
    });
    if (tests.length === 0) {
      throw new CliError(`no test documents found in ${context.flags.strings("filename").join(", ")}`);
    }
    const { control } = await context.clients();
    return applySteps(
      context,
      tests.map((t) => testStep(control, t)),
      "test",
    );
  },
};
