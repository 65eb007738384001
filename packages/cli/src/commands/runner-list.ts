import { QueryRunnersResponseSchema } from "@tstr/proto";
import type { CommandSpec } from "../cli/command-spec.js";
import { renderMessage } from "../output/output-format.js";
import { RUNNER_COLUMNS, runnerRow } from "../output/runner-view.js";
import { renderTable } from "../output/table.js";

/** `tstrctl runner list`: every registered runner with its liveness, capacity and selectors. */
export const runnerListCommand: CommandSpec = {
  path: ["runner", "list"],
  summary: "List runners: liveness, capacity, active runs, selectors",
  synopsis: "runner list [-o table|json|yaml]",
  description:
    "Lists registered runners. ONLINE is yes when the runner sent a heartbeat recently (draining: it takes no new runs).",
  options: {},
  flagHelp: [],
  output: true,
  args: { min: 0, max: 0 },
  async run({ clients, output, io }) {
    const response = await (await clients()).data.queryRunners({});
    const runners = [...response.runners].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    if (output !== "table") io.stdout(renderMessage(QueryRunnersResponseSchema, response, output));
    else if (runners.length === 0) io.stderr("no runners registered\n");
    else io.stdout(renderTable(RUNNER_COLUMNS, runners.map(runnerRow)));
    return 0;
  },
};
