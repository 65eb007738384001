import { AccessTokenSchema } from "@tstr/proto";
import type { CommandSpec } from "../cli/command-spec.js";
import { renderMessage } from "../output/output-format.js";
import { renderTable } from "../output/table.js";
import { TOKEN_COLUMNS, tokenRow } from "../output/token-view.js";

/** `tstrctl token get ID`: one token's metadata (never its secret). */
export const tokenGetCommand: CommandSpec = {
  path: ["token", "get"],
  summary: "Show one access token",
  synopsis: "token get ID [-o table|json|yaml]",
  options: {},
  flagHelp: [],
  output: true,
  args: { min: 1, max: 1 },
  async run({ args, clients, output, io }) {
    const { accessToken } = await (await clients()).admin.getAccessToken({ id: args[0] });
    if (!accessToken) throw new Error(`token ${args[0]} not found`);
    io.stdout(
      output === "table"
        ? renderTable(TOKEN_COLUMNS, [tokenRow(accessToken)])
        : renderMessage(AccessTokenSchema, accessToken, output),
    );
    return 0;
  },
};
