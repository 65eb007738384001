import { K6StatisticsResponseSchema } from "@tstr/proto";
import type { CommandSpec } from "../cli/command-spec.js";
import { usageError } from "../cli-error.js";
import { k6StatsView } from "../output/k6-view.js";
import { renderMessage } from "../output/output-format.js";

const DEFAULT_DAYS = 7;

/** `tstrctl k6 stats`: how many k6 runs had findings lately, by severity and per test. */
export const k6StatsCommand: CommandSpec = {
  path: ["k6", "stats"],
  summary: "Summarise recent k6 runs: share with findings, findings by severity, p95 trend per test",
  synopsis: "k6 stats [--days N] [-o table|json|yaml]",
  options: { days: { type: "string" } },
  flagHelp: [["    --days N", `the last N days (default ${DEFAULT_DAYS}, at most 366)`]],
  output: true,
  args: { min: 0, max: 0 },
  async run({ flags, usage, clients, output, io }) {
    const text = flags.string("days");
    if (text !== undefined && !/^[1-9]\d{0,2}$/.test(text)) {
      throw usageError(`--days ${JSON.stringify(text)}: expected a number of days from 1 to 366`, usage);
    }
    const days = text === undefined ? DEFAULT_DAYS : Number(text);
    const response = await (await clients()).data.k6Statistics({ days });
    if (output !== "table") io.stdout(renderMessage(K6StatisticsResponseSchema, response, output));
    else io.stdout(k6StatsView(response, days));
    return 0;
  },
};
