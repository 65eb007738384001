import { create } from "@bufbuild/protobuf";
import type { Client } from "@connectrpc/connect";
import { isUuid } from "@tstr/domain";
import { type DataService, type GetRunnerResponse, GetRunnerResponseSchema } from "@tstr/proto";
import type { CommandSpec } from "../cli/command-spec.js";
import { CliError } from "../cli-error.js";
import { renderMessage } from "../output/output-format.js";
import { runnerDetails } from "../output/runner-view.js";
import { renderDetails } from "../output/table.js";

/** `tstrctl runner get ID|NAME`: one runner's registration, liveness and active runs. */
export const runnerGetCommand: CommandSpec = {
  path: ["runner", "get"],
  summary: "Show a runner by id or name",
  synopsis: "runner get ID|NAME [-o table|json|yaml]",
  description: "Shows one runner. A UUID is taken as the runner's id, anything else as its name.",
  options: {},
  flagHelp: [],
  output: true,
  args: { min: 1, max: 1 },
  async run({ args, clients, output, io }) {
    const response = await getRunner((await clients()).data, args[0] ?? "");
    if (output !== "table") io.stdout(renderMessage(GetRunnerResponseSchema, response, output));
    else if (response.runner) io.stdout(renderDetails(runnerDetails(response.runner)));
    else throw new Error(`the server returned no runner for ${args[0]}`);
    return 0;
  },
};

/** GetRunner takes only ids, so a name is found among the registered runners. */
export async function getRunner(data: Client<typeof DataService>, argument: string): Promise<GetRunnerResponse> {
  if (isUuid(argument)) return data.getRunner({ id: argument });
  const { runners } = await data.queryRunners({});
  const named = runners.filter((runner) => runner.name === argument);
  if (named.length === 0) throw new CliError(`runner ${JSON.stringify(argument)} not found`);
  if (named.length > 1) {
    throw new CliError(`${named.length} runners are named ${JSON.stringify(argument)}; give an id instead`, {
      hint: `ids: ${named.map((runner) => runner.id).join(", ")}`,
    });
  }
  return create(GetRunnerResponseSchema, { runner: named[0] });
}
