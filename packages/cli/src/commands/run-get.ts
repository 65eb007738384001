import { GetRunResponseSchema } from "@tstr/proto";
import type { CommandSpec } from "../cli/command-spec.js";
import { lookUpRunnerNames } from "../client/runner-names.js";
import { renderMessage } from "../output/output-format.js";
import { runDetails } from "../output/run-view.js";
import { renderDetails } from "../output/table.js";

/** `tstrctl run get RUN_ID`: status, verdict, attempts, timings, result data and test cases of one run. */
export const runGetCommand: CommandSpec = {
  path: ["run", "get"],
  summary: "Show a run: status, result, attempts, timings, result data, JUnit test cases",
  synopsis: "run get RUN_ID [-o table|json|yaml]",
  options: {},
  flagHelp: [],
  output: true,
  args: { min: 1, max: 1 },
  async run({ args, clients, output, io }) {
    const { data } = await clients();
    const response = await data.getRun({ id: args[0] ?? "" });
    if (output !== "table") {
      io.stdout(renderMessage(GetRunResponseSchema, response, output));
      return 0;
    }
    const run = response.run;
    if (!run) throw new Error(`the server returned no run for ${args[0]}`);
    const [runners, { testCases }] = await Promise.all([
      lookUpRunnerNames(data, [run.runnerId, ...run.attempts.map((a) => a.runnerId)]),
      data.listTestCases({ runId: run.id, namespace: run.namespace }),
    ]);
    io.stdout(renderDetails(runDetails(run, runners, testCases)));
    return 0;
  },
};
