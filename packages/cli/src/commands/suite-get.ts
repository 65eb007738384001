import { GetSuiteResponseSchema } from "@tstr/proto";
import type { CommandSpec } from "../cli/command-spec.js";
import { renderMessage } from "../output/output-format.js";
import { suiteDetails } from "../output/suite-view.js";
import { renderDetails } from "../output/table.js";
import { suiteReference } from "./suite-reference.js";

/** `tstrctl suite get NAME|ID`: the definition, its members as resolved now, and recent suite runs. */
export const suiteGetCommand: CommandSpec = {
  path: ["suite", "get"],
  summary: "Show a suite: definition, members, recent suite runs",
  synopsis: "suite get NAME|ID [-o table|json|yaml]",
  options: {},
  flagHelp: [],
  output: true,
  args: { min: 1, max: 1 },
  async run({ args, clients, target, output, io }) {
    const { namespace } = await target();
    const response = await (await clients()).data.getSuite({ ...suiteReference(args[0] ?? ""), namespace });
    io.stdout(
      output === "table"
        ? renderDetails(suiteDetails(response))
        : renderMessage(GetSuiteResponseSchema, response, output),
    );
    return 0;
  },
};
