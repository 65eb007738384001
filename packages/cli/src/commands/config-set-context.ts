import type { CommandSpec } from "../cli/command-spec.js";
import { usageError } from "../cli-error.js";
import { type ContextEntry, loadConfig, saveConfig } from "../config/config-file.js";
import { normaliseAddr } from "../config/resolve-target.js";

/**
 * `tstrctl config set-context NAME`: creates or updates a named context; only the settings given
 * change, and an empty value (`--token ""`) removes one.
 */
export const configSetContextCommand: CommandSpec = {
  path: ["config", "set-context"],
  summary: "Create or update a named context",
  synopsis: "config set-context NAME [--addr URL] [--token TOKEN] [--namespace NS] [--use]",
  description: [
    "Stores connection settings under NAME in the config file (written with mode 0600).",
    "Only the settings given change; an empty value removes a setting.",
  ].join("\n"),
  options: { use: { type: "boolean" } },
  flagHelp: [
    ["    --addr URL", "API address to store"],
    ["    --token TOKEN", "access token to store"],
    ["-n, --namespace NS", "namespace to store"],
    ["    --use", "make it the current context"],
  ],
  args: { min: 1, max: 1 },
  async run({ args, flags, usage, configPath, io }) {
    const name = args[0] ?? "";
    if (!name.trim()) throw usageError("the context name must not be empty", usage);
    const config = await loadConfig(configPath);
    const existed = name in config.contexts;
    const entry: ContextEntry = { ...config.contexts[name] };
    for (const key of ["addr", "token", "namespace"] as const) {
      const value = flags.string(key);
      if (value === undefined) continue;
      if (value === "") delete entry[key];
      else entry[key] = key === "addr" ? normaliseAddr(value) : value;
    }
    config.contexts[name] = entry;
    if (flags.boolean("use")) config.currentContext = name;
    await saveConfig(configPath, config);
    io.stdout(`context "${name}" ${existed ? "updated" : "created"}\n`);
    if (flags.boolean("use")) io.stdout(`switched to context "${name}"\n`);
    return 0;
  },
};
