import { GetTestResponseSchema } from "@tstr/proto";
import type { CommandSpec } from "../cli/command-spec.js";
import { renderMessage } from "../output/output-format.js";
import { renderDetails } from "../output/table.js";
import { testDetails } from "../output/test-view.js";
import { testReference } from "./test-reference.js";

/** `tstrctl test get NAME|ID`: the definition, the next cron fire times and recent runs. */
export const testGetCommand: CommandSpec = {
  path: ["test", "get"],
  summary: "Show a test: definition, schedule, next fire times",
  synopsis: "test get NAME|ID [-o table|json|yaml]",
  description: "Shows one test. An argument that is a UUID is taken as the test's id, anything else as its name.",
  options: {},
  flagHelp: [],
  output: true,
  args: { min: 1, max: 1 },
  async run({ args, clients, output, io }) {
    const response = await (await clients()).data.getTest(testReference(args[0] ?? ""));
    io.stdout(
      output === "table"
        ? renderDetails(testDetails(response))
        : renderMessage(GetTestResponseSchema, response, output),
    );
    return 0;
  },
};
