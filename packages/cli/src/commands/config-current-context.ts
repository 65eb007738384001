import type { CommandSpec } from "../cli/command-spec.js";
import { CliError } from "../cli-error.js";
import { loadConfig } from "../config/config-file.js";

/** `tstrctl config current-context`: the config file's current context. */
export const configCurrentContextCommand: CommandSpec = {
  path: ["config", "current-context"],
  summary: "Print the current context's name",
  synopsis: "config current-context",
  options: {},
  flagHelp: [],
  args: { min: 0, max: 0 },
  async run({ configPath, io }) {
    const { currentContext } = await loadConfig(configPath);
    if (!currentContext) {
      throw new CliError(`no current context is set in ${configPath}`, {
        hint: "set one with `tstrctl config use-context NAME`",
      });
    }
    io.stdout(`${currentContext}\n`);
    return 0;
  },
};
