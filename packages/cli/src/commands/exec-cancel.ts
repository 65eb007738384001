import { CancelExecutionResponseSchema } from "@tstr/proto";
import type { CommandSpec } from "../cli/command-spec.js";
import { renderMessage } from "../output/output-format.js";
import { describeExecution } from "./exec-view.js";

/** `tstrctl exec cancel RUN_ID`: ends a running external execution CANCELLED. */
export const execCancelCommand: CommandSpec = {
  path: ["exec", "cancel"],
  summary: "Cancel an external execution",
  synopsis: "exec cancel RUN_ID [--reason TEXT] [-o json|yaml]",
  description: "Ends a running external execution CANCELLED and frees the capacity it held at its location.",
  options: { reason: { type: "string" } },
  flagHelp: [["    --reason TEXT", "why, recorded with the run"]],
  output: true,
  args: { min: 1, max: 1 },
  async run({ args, flags, clients, output, io }) {
    const { control } = await clients();
    const response = await control.cancelExecution({ runId: args[0] ?? "", reason: flags.string("reason") ?? "" });
    if (output !== "table") io.stdout(renderMessage(CancelExecutionResponseSchema, response, output));
    else io.stdout(`${describeExecution(response.run, args[0] ?? "")} cancelled\n`);
    return 0;
  },
};
