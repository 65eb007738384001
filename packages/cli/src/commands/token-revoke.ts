import type { CommandSpec } from "../cli/command-spec.js";

/** `tstrctl token revoke ID`: revocation reaches every replica within seconds. */
export const tokenRevokeCommand: CommandSpec = {
  path: ["token", "revoke"],
  summary: "Revoke an access token",
  synopsis: "token revoke ID",
  options: {},
  flagHelp: [],
  args: { min: 1, max: 1 },
  async run({ args, clients, io }) {
    const id = args[0] ?? "";
    await (await clients()).admin.revokeAccessToken({ id });
    io.stdout(`token/${id} revoked\n`);
    return 0;
  },
};
