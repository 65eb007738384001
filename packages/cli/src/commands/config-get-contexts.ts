import type { CommandSpec } from "../cli/command-spec.js";
import { loadConfig } from "../config/config-file.js";
import { renderJson } from "../output/output-format.js";
import { renderTable } from "../output/table.js";

/** `tstrctl config get-contexts`: the stored contexts; tokens are never printed. */
export const configGetContextsCommand: CommandSpec = {
  path: ["config", "get-contexts"],
  summary: "List the stored contexts",
  synopsis: "config get-contexts [-o table|json|yaml]",
  description: "Lists the contexts in the config file. Tokens are not printed, only whether one is stored.",
  options: {},
  flagHelp: [],
  output: true,
  args: { min: 0, max: 0 },
  async run({ configPath, output, io }) {
    const config = await loadConfig(configPath);
    const names = Object.keys(config.contexts).sort();
    if (output !== "table") {
      const contexts = names.map((name) => {
        const { token, ...rest } = config.contexts[name] ?? {};
        return { name, ...rest, hasToken: token !== undefined };
      });
      io.stdout(
        renderJson({ configFile: configPath, currentContext: config.currentContext ?? null, contexts }, output),
      );
      return 0;
    }
    const rows = names.map((name) => {
      const entry = config.contexts[name] ?? {};
      return [
        name === config.currentContext ? "*" : "",
        name,
        entry.addr ?? "",
        entry.namespace ?? "",
        entry.token ? "yes" : "no",
      ];
    });
    io.stdout(renderTable(["CURRENT", "NAME", "ADDR", "NAMESPACE", "TOKEN"], rows));
    return 0;
  },
};
