import { type JsonObject, toJson } from "@bufbuild/protobuf";
import type { SuiteDefinition } from "@tstr/definitions";
import { ApplySuiteResponseSchema } from "@tstr/proto";
import type { CommandSpec } from "../cli/command-spec.js";
import { CliError } from "../cli-error.js";
import type { ApiClients } from "../client/api-clients.js";
import {
  APPLY_FLAG_HELP,
  APPLY_OPTIONS,
  type ApplyStep,
  applySteps,
  loadDefinitionsToApply,
  testStep,
} from "./apply-definitions.js";
import { executorStep } from "./executor-apply-step.js";

/**
 * `tstrctl apply -f …`: applies every Test, Suite and Executor document of the files. All documents
 * are validated locally first and nothing is sent if any has a problem; then executors are applied
 * first (tests name them), then tests, then suites (ApplyExecutor, ApplyTest, ApplySuite), so
 * what a definition names exists by the time it is stored.
 */
export const applyCommand: CommandSpec = {
  path: ["apply"],
  summary: "Create or update executors, tests and suites from YAML or JSON files",
  synopsis: "apply -f FILE|DIR [-f …] [--dry-run] [-o table|json|yaml]",
  description: [
    "Creates or updates executors, tests and suites (by namespace and name) from definition files:",
    "documents with kind: Test (or no kind), kind: Suite and kind: Executor. A directory means every",
    "*.yaml, *.yml and *.json below it; a file may hold several documents (YAML ---, or a JSON array);",
    "-f - reads standard input. A document without a namespace uses -n or the context's namespace; an",
    "executor with global: true is visible in every namespace (applying one needs an admin token).",
    "Nothing is applied when any document has a problem; executors are applied first, then tests, then",
    "suites.",
  ].join("\n"),
  options: APPLY_OPTIONS,
  flagHelp: APPLY_FLAG_HELP,
  output: true,
  args: { min: 0, max: 0 },
  async run(context) {
    const { tests, suites, executors } = await loadDefinitionsToApply(context);
    if (tests.length + suites.length + executors.length === 0) {
      throw new CliError(
        `no test, suite or executor documents found in ${context.flags.strings("filename").join(", ")}`,
      );
    }
    const { control } = await context.clients();
    const steps = [
      ...executors.map((e) => executorStep(control, e)),
      ...tests.map((t) => testStep(control, t, { tagKind: true })),
      ...suites.map((s) => suiteStep(control, s)),
    ];
    return applySteps(context, steps, "definition");
  },
};

function suiteStep(control: ApiClients["control"], { file, index, suite }: SuiteDefinition): ApplyStep {
  return {
    file,
    index,
    ref: `suite/${suite.namespace}/${suite.name}`,
    async send(dryRun) {
      const headers = { namespace: suite.namespace };
      const response = await control.applySuite({ suite, dryRun }, { headers });
      return {
        outcome: response.outcome,
        json: { kind: "Suite", ...(toJson(ApplySuiteResponseSchema, response) as JsonObject) },
      };
    },
  };
}
