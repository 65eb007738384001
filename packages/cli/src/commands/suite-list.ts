import { QuerySuitesResponseSchema } from "@tstr/proto";
import type { CommandSpec } from "../cli/command-spec.js";
import { renderMessage } from "../output/output-format.js";
import { SUITE_COLUMNS, suiteRow } from "../output/suite-view.js";
import { renderTable } from "../output/table.js";

/** `tstrctl suite list`: the suites of the namespace. */
export const suiteListCommand: CommandSpec = {
  path: ["suite", "list"],
  summary: "List suites",
  synopsis: "suite list [--selector EXPR] [-o table|json|yaml]",
  options: { selector: { type: "string" } },
  flagHelp: [["    --selector EXPR", 'only suites whose labels match, e.g. "team=web"']],
  output: true,
  args: { min: 0, max: 0 },
  async run({ flags, clients, target, output, io }) {
    const { namespace } = await target();
    const response = await (await clients()).data.querySuites({ namespace, selector: flags.string("selector") ?? "" });
    if (output !== "table") io.stdout(renderMessage(QuerySuitesResponseSchema, response, output));
    else if (response.suites.length === 0) io.stderr(`no suites found in namespace "${namespace}"\n`);
    else io.stdout(renderTable(SUITE_COLUMNS, response.suites.map(suiteRow)));
    return 0;
  },
};
