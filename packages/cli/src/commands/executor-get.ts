import { GetExecutorResponseSchema } from "@tstr/proto";
import type { CommandSpec } from "../cli/command-spec.js";
import { executorDetails } from "../output/executor-view.js";
import { renderMessage } from "../output/output-format.js";
import { renderDetails } from "../output/table.js";

/** `tstrctl executor get NAME`: the executor the namespace sees under that name (its own, else the global one). */
export const executorGetCommand: CommandSpec = {
  path: ["executor", "get"],
  summary: "Show an executor: image, command, file types, result parsers",
  synopsis: "executor get NAME [-o table|json|yaml]",
  options: {},
  flagHelp: [],
  output: true,
  args: { min: 1, max: 1 },
  async run({ args, clients, target, output, io }) {
    const { namespace } = await target();
    const response = await (await clients()).control.getExecutor({ name: args[0] ?? "", namespace });
    if (output !== "table") io.stdout(renderMessage(GetExecutorResponseSchema, response, output));
    else if (response.executor) io.stdout(renderDetails(executorDetails(response.executor)));
    return 0;
  },
};
