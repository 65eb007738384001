import { IdentityResponseSchema } from "@tstr/proto";
import type { CommandSpec } from "../cli/command-spec.js";
import { formatTimestamp } from "../output/format-values.js";
import { renderMessage } from "../output/output-format.js";
import { renderDetails } from "../output/table.js";
import { tokenScopes } from "../output/token-view.js";

/** `tstrctl identity`: who the current token belongs to and what it may do. */
export const identityCommand: CommandSpec = {
  path: ["identity"],
  summary: "Show the current token: name, scopes, namespaces and expiry",
  synopsis: "identity [-o table|json|yaml]",
  options: {},
  flagHelp: [],
  output: true,
  args: { min: 0, max: 0 },
  async run({ clients, target, output, io }) {
    const response = await (await clients()).identity.identity({});
    if (output !== "table") {
      io.stdout(renderMessage(IdentityResponseSchema, response, output));
      return 0;
    }
    const { addr, context } = await target();
    const token = response.accessToken;
    io.stdout(
      renderDetails([
        ["Server", context ? `${addr} (context ${context})` : addr],
        ["Token", token ? `${token.name} (${token.id})` : "none"],
        ["Scopes", tokenScopes(token).join(", ") || "none"],
        ["Namespace selectors", token?.namespaceSelectors.join(", ") || "none"],
        ["Namespaces", response.accessibleNamespaces.join(", ") || "none"],
        ["Runner", token?.runnerId ?? ""],
        ["Issued", formatTimestamp(token?.issuedAt)],
        ["Expires", formatTimestamp(token?.expiresAt) || "never"],
      ]),
    );
    return 0;
  },
};
