import { ListAccessTokensResponseSchema } from "@tstr/proto";
import type { CommandSpec } from "../cli/command-spec.js";
import { renderMessage } from "../output/output-format.js";
import { renderTable } from "../output/table.js";
import { TOKEN_COLUMNS, tokenRow } from "../output/token-view.js";

/** `tstrctl token list [--all]`: active tokens, or every token with --all. */
export const tokenListCommand: CommandSpec = {
  path: ["token", "list"],
  summary: "List access tokens",
  synopsis: "token list [--all] [-o table|json|yaml]",
  description: "Lists active access tokens; --all includes revoked and expired ones.",
  options: { all: { type: "boolean" } },
  flagHelp: [["    --all", "include revoked and expired tokens"]],
  output: true,
  args: { min: 0, max: 0 },
  async run({ flags, clients, output, io }) {
    const all = flags.boolean("all");
    const response = await (await clients()).admin.listAccessTokens({ includeExpired: all, includeRevoked: all });
    if (output !== "table") io.stdout(renderMessage(ListAccessTokensResponseSchema, response, output));
    else if (response.accessTokens.length === 0) io.stderr(`no ${all ? "" : "active "}tokens found\n`);
    else io.stdout(renderTable(TOKEN_COLUMNS, response.accessTokens.map(tokenRow)));
    return 0;
  },
};
