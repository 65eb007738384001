import { convertDuration } from "@tstr/definitions";
import { AccessTokenSchema, type ScopeName } from "@tstr/proto";
import type { CommandSpec } from "../cli/command-spec.js";
import { usageError } from "../cli-error.js";
import { formatTimestamp } from "../output/format-values.js";
import { renderMessage } from "../output/output-format.js";

const SCOPE_NAMES: readonly ScopeName[] = ["admin", "control:read", "control:write", "data:read", "runner"];
const NANOS_PER_SECOND = 1_000_000_000n;

/**
 * `tstrctl token issue`: mints a token. The token alone goes to stdout (so `$(tstrctl token issue
 * …)` captures it) and a warning that it is shown only once goes to stderr.
 */
export const tokenIssueCommand: CommandSpec = {
  path: ["token", "issue"],
  summary: "Issue an access token (shown once)",
  synopsis: "token issue --name NAME --scope SCOPE… --namespace-selector RE… [--valid-for 24h]",
  description: [
    "Issues a signed access token. Scopes: admin, control:read, control:write, data:read, runner.",
    "Namespace selectors are anchored regular expressions over namespace names.",
  ].join("\n"),
  options: {
    name: { type: "string" },
    scope: { type: "string", multiple: true },
    "namespace-selector": { type: "string", multiple: true },
    "valid-for": { type: "string" },
  },
  flagHelp: [
    ["    --name NAME", "a name to recognise the token by (required)"],
    ["    --scope SCOPE", "a scope to grant; repeat or separate with commas (required)"],
    ["    --namespace-selector RE", "namespaces the token may act in (required; repeatable)"],
    ["    --valid-for DURATION", 'lifetime, e.g. "24h" or "90m" (default: the server\'s)'],
  ],
  output: true,
  args: { min: 0, max: 0 },
  async run({ flags, usage, clients, output, io }) {
    const name = flags.string("name");
    if (!name) throw usageError("--name is required", usage);
    const scopeNames = flags
      .strings("scope")
      .flatMap((s) => s.split(","))
      .map((s) => s.trim())
      .filter(Boolean);
    if (scopeNames.length === 0) throw usageError("at least one --scope is required", usage);
    const unknown = scopeNames.find((s) => !SCOPE_NAMES.includes(s as ScopeName));
    if (unknown) throw usageError(`unknown scope ${JSON.stringify(unknown)} (use ${SCOPE_NAMES.join(", ")})`, usage);
    const namespaceSelectors = flags.strings("namespace-selector");
    if (namespaceSelectors.length === 0) {
      throw usageError(
        'at least one --namespace-selector is required (e.g. "default", "team-.*", or ".*" for all)',
        usage,
      );
    }
    const validFor = flags.string("valid-for");
    const validDuration = validFor === undefined ? undefined : parseValidFor(validFor, usage);
    const { accessToken } = await (await clients()).admin.issueAccessToken({
      name,
      scopeNames,
      namespaceSelectors,
      validDuration,
    });
    if (!accessToken) throw new Error("the server issued no token");
    io.stdout(output === "table" ? `${accessToken.token}\n` : renderMessage(AccessTokenSchema, accessToken, output));
    const expires = formatTimestamp(accessToken.expiresAt) || "never";
    io.stderr(
      `tstrctl: warning: token "${accessToken.name}" (id ${accessToken.id}, expires ${expires}) is shown only once; store it now\n`,
    );
    return 0;
  },
};

function parseValidFor(text: string, usage: string): { seconds: bigint; nanos: number } {
  const converted = convertDuration(text);
  if (!converted.ok) throw usageError(`--valid-for: ${converted.message}`, usage);
  if (converted.nanos === 0n) throw usageError("--valid-for: must be longer than zero", usage);
  return { seconds: converted.nanos / NANOS_PER_SECOND, nanos: Number(converted.nanos % NANOS_PER_SECOND) };
}
