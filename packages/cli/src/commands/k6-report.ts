import { GetK6ReportResponseSchema } from "@tstr/proto";
import type { CommandSpec } from "../cli/command-spec.js";
import { k6ReportView } from "../output/k6-view.js";
import { renderMessage } from "../output/output-format.js";

/** `tstrctl k6 report RUN_ID`: the k6 report of a run (the merged one for a shard of a distributed run). */
export const k6ReportCommand: CommandSpec = {
  path: ["k6", "report"],
  summary: "Show a k6 run's report: verdict, latency, errors, thresholds, checks, findings",
  synopsis: "k6 report RUN_ID [-o table|json|yaml]",
  description: "For a shard of a distributed run, the report merged from every shard once the last one finished.",
  options: {},
  flagHelp: [],
  output: true,
  args: { min: 1, max: 1 },
  async run({ args, clients, output, io }) {
    const response = await (await clients()).data.getK6Report({ runId: args[0] ?? "" });
    if (output !== "table") io.stdout(renderMessage(GetK6ReportResponseSchema, response, output));
    else if (response.report) io.stdout(k6ReportView(response.report));
    return 0;
  },
};
