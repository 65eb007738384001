import { CompleteExecutionResponseSchema, Run_Result } from "@tstr/proto";
import type { CommandSpec } from "../cli/command-spec.js";
import { usageError } from "../cli-error.js";
import { renderMessage } from "../output/output-format.js";
import { describeExecution } from "./exec-view.js";

const RESULTS: Record<string, Run_Result> = {
  success: Run_Result.PASS,
  failure: Run_Result.FAIL,
  cancelled: Run_Result.CANCELLED,
};

/** `tstrctl exec complete RUN_ID --result success|failure|cancelled`: records how an execution ended. */
export const execCompleteCommand: CommandSpec = {
  path: ["exec", "complete"],
  summary: "Record how an external execution ended",
  synopsis: "exec complete RUN_ID --result success|failure|cancelled [--data KEY=VALUE…] [-o json|yaml]",
  description: [
    "Ends a running external execution with its result (stored as PASS, FAIL or CANCELLED) and frees",
    "the capacity it held at its location. An execution completes once; completing it again is refused.",
  ].join("\n"),
  options: {
    result: { type: "string" },
    data: { type: "string", multiple: true },
  },
  flagHelp: [
    ["    --result RESULT", `how it ended: ${Object.keys(RESULTS).join(", ")} (required)`],
    ["    --data KEY=VALUE", "result data kept with the run, e.g. p95=120ms; repeatable"],
  ],
  output: true,
  args: { min: 1, max: 1 },
  async run({ args, flags, usage, clients, output, io }) {
    const word = flags.string("result")?.trim().toLowerCase();
    if (!word) throw usageError(`--result is required: ${Object.keys(RESULTS).join(", ")}`, usage);
    const result = RESULTS[word];
    if (result === undefined) {
      throw usageError(`--result ${JSON.stringify(word)}: use ${Object.keys(RESULTS).join(", ")}`, usage);
    }
    const resultData = parsePairs(flags.strings("data"), usage);
    const { control } = await clients();
    const response = await control.completeExecution({ runId: args[0] ?? "", result, resultData });
    if (output !== "table") io.stdout(renderMessage(CompleteExecutionResponseSchema, response, output));
    else io.stdout(`${describeExecution(response.run, args[0] ?? "")} completed: ${Run_Result[result]}\n`);
    return 0;
  },
};

/** Repeated `--data KEY=VALUE` flags as a map. */
function parsePairs(pairs: readonly string[], usage: string): Record<string, string> {
  const data: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at <= 0) throw usageError(`--data ${JSON.stringify(pair)}: expected KEY=VALUE`, usage);
    data[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return data;
}
