import { ListExecutorsResponseSchema } from "@tstr/proto";
import type { CommandSpec } from "../cli/command-spec.js";
import { EXECUTOR_COLUMNS, executorRow } from "../output/executor-view.js";
import { renderMessage } from "../output/output-format.js";
import { renderTable } from "../output/table.js";

/** `tstrctl executor list`: the executors a namespace sees, its own and the global (built-in included) ones. */
export const executorListCommand: CommandSpec = {
  path: ["executor", "list"],
  summary: "List the executors of the namespace and the global ones",
  synopsis: "executor list [-o table|json|yaml]",
  options: {},
  flagHelp: [],
  output: true,
  args: { min: 0, max: 0 },
  async run({ clients, target, output, io }) {
    const { namespace } = await target();
    const response = await (await clients()).control.listExecutors({ namespace });
    if (output !== "table") io.stdout(renderMessage(ListExecutorsResponseSchema, response, output));
    else if (response.executors.length === 0) io.stderr(`no executors found in namespace "${namespace}"\n`);
    else io.stdout(renderTable(EXECUTOR_COLUMNS, response.executors.map(executorRow)));
    return 0;
  },
};
