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

/**
 * `tstrctl apply -f …`: applies every Test and Suite document of the files. All documents are
 * validated locally first and nothing is sent if any has a problem; then tests are applied before
 * suites (ApplyTest, ApplySuite), so a suite's members exist by the time it is stored.
 */
export const applyCommand: CommandSpec = {
  path: ["apply"],
  summary: "Create or update tests and suites from YAML or JSON files",
  synopsis: "apply -f FILE|DIR [-f …] [--dry-run] [-o table|json|yaml]",
  description: [
    "Creates or updates tests and suites (by namespace and name) from definition files: documents with",
    "kind: Test (or no kind) and kind: Suite. A directory means every *.yaml, *.yml and *.json below it;",
    "a file may hold several documents (YAML ---, or a JSON array); -f - reads standard input. A",
    "document without a namespace uses -n or the context's namespace. Nothing is applied when any",
    "document has a problem; tests are applied before suites.",
  ].join("\n"),
  options: APPLY_OPTIONS,
  flagHelp: APPLY_FLAG_HELP,
  output: true,
  args: { min: 0, max: 0 },
  async run(context) {
    const { tests, suites } = await loadDefinitionsToApply(context);
    if (tests.length + suites.length === 0) {
      throw new CliError(`no test or suite documents found in ${context.flags.strings("filename").join(", ")}`);
    }
    const { control } = await context.clients();
    const steps = [
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
