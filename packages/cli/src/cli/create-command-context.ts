import type { CliIo } from "../cli-io.js";
import { type ApiClients, createApiClients } from "../client/api-clients.js";
import type { CallSite } from "../client/describe-error.js";
import { configFilePath, loadConfig } from "../config/config-file.js";
import { type ResolvedTarget, resolveTarget } from "../config/resolve-target.js";
import { parseOutputFormat } from "../output/output-format.js";
import type { CommandContext, CommandSpec } from "./command-spec.js";
import type { ParsedFlags } from "./parsed-flags.js";

/** Unary calls from the CLI give up after this long rather than hang on a black-holed address. */
const CALL_TIMEOUT_MS = 30_000;

/** What the dispatcher knows once the command line has parsed. */
export interface ContextInputs {
  io: CliIo;
  command: CommandSpec;
  flags: ParsedFlags;
  args: string[];
  usage: string;
  /** Filled in when the target resolves, so errors can name the address. */
  site: CallSite;
}

/** Builds a command's context; the config file is read only if the command needs the target. */
export function createCommandContext({ io, command, flags, args, usage, site }: ContextInputs): CommandContext {
  const configPath = configFilePath(io.env, io.homeDir, io.cwd);
  let target: Promise<ResolvedTarget> | undefined;
  let clients: Promise<ApiClients> | undefined;
  const resolve = () => {
    target ??= loadConfig(configPath).then((config) => {
      const resolved = resolveTarget(
        {
          addr: flags.string("addr"),
          token: flags.string("token"),
          namespace: flags.string("namespace"),
          context: flags.string("context"),
        },
        io.env,
        config,
        configPath,
      );
      site.addr = resolved.addr;
      site.hadToken = resolved.token !== undefined;
      return resolved;
    });
    return target;
  };
  return {
    io,
    args,
    flags,
    usage,
    configPath,
    output: command.output ? parseOutputFormat(flags.string("output"), usage) : "table",
    target: resolve,
    clients: () => {
      clients ??= resolve().then((resolved) => createApiClients(resolved, { timeoutMs: CALL_TIMEOUT_MS }));
      return clients;
    },
  };
}
