import type { CommandSpec } from "../cli/command-spec.js";
import { CliError } from "../cli-error.js";
import { loadConfig, saveConfig } from "../config/config-file.js";

/** `tstrctl config use-context NAME`: makes NAME the context used when none is named. */
export const configUseContextCommand: CommandSpec = {
  path: ["config", "use-context"],
  summary: "Switch the current context",
  synopsis: "config use-context NAME",
  options: {},
  flagHelp: [],
  args: { min: 1, max: 1 },
  async run({ args, configPath, io }) {
    const name = args[0] ?? "";
    const config = await loadConfig(configPath);
    if (!(name in config.contexts)) {
      throw new CliError(`context "${name}" is not defined in ${configPath}`, {
        hint: `create it with \`tstrctl config set-context ${name} --addr URL --token TOKEN\``,
      });
    }
    config.currentContext = name;
    await saveConfig(configPath, config);
    io.stdout(`switched to context "${name}"\n`);
    return 0;
  },
};
