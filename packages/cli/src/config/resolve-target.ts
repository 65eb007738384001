import { CliError } from "../cli-error.js";
import type { CliConfig, ContextEntry } from "./config-file.js";

/** Where the API lives when nothing says otherwise (`tstr dev` listens here). */
export const DEFAULT_ADDR = "http://127.0.0.1:7420";
/** The namespace used when nothing names one. */
export const DEFAULT_NAMESPACE = "default";

/** The connection settings given as flags. */
export interface TargetFlags {
  addr?: string;
  token?: string;
  namespace?: string;
  context?: string;
}

/** The API to talk to, resolved from flags, environment and the config file. */
export interface ResolvedTarget {
  addr: string;
  token?: string;
  namespace: string;
  /** The context the settings came from, if any. */
  context?: string;
}

/**
 * Resolves each setting, highest precedence first: its flag; the context picked with `--context`
 * (a flag, so it outranks the environment); `TSTR_ADDR` / `TSTR_TOKEN` / `TSTR_NAMESPACE`; the
 * context named by `TSTR_CONTEXT` or the file's `currentContext`; the defaults. Empty values count
 * as unset. Naming a context that does not exist is an error rather than a silent fallback.
 */
export function resolveTarget(
  flags: TargetFlags,
  env: Record<string, string | undefined>,
  config: CliConfig,
  configPath: string,
): ResolvedTarget {
  const flagContext = pickContext(flags.context || undefined, config, configPath, "--context");
  const ambientName = env.TSTR_CONTEXT || config.currentContext;
  const ambientSource = env.TSTR_CONTEXT ? "TSTR_CONTEXT" : "currentContext";
  const ambient = flagContext ? undefined : pickContext(ambientName, config, configPath, ambientSource);
  const pick = (flag: string | undefined, envValue: string | undefined, key: keyof ContextEntry) =>
    flag || flagContext?.entry[key] || envValue || ambient?.entry[key] || undefined;
  const addr = normaliseAddr(pick(flags.addr, env.TSTR_ADDR, "addr") ?? DEFAULT_ADDR);
  const token = pick(flags.token, env.TSTR_TOKEN, "token");
  const namespace = pick(flags.namespace, env.TSTR_NAMESPACE, "namespace") ?? DEFAULT_NAMESPACE;
  const context = (flagContext ?? ambient)?.name;
  return { addr, namespace, ...(token ? { token } : {}), ...(context ? { context } : {}) };
}

function pickContext(
  name: string | undefined,
  config: CliConfig,
  configPath: string,
  source: string,
): { name: string; entry: ContextEntry } | undefined {
  if (!name) return undefined;
  const entry = config.contexts[name];
  if (!entry) {
    throw new CliError(`context "${name}" (from ${source}) is not defined in ${configPath}`, {
      hint: "list contexts with `tstrctl config get-contexts`; create one with `tstrctl config set-context`",
    });
  }
  return { name, entry };
}

/** Accepts "host:port" as shorthand for "http://host:port"; drops a trailing slash. */
export function normaliseAddr(addr: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(addr) ? addr : `http://${addr}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new CliError(`invalid address ${JSON.stringify(addr)}`, {
      hint: "expected a URL such as http://127.0.0.1:7420",
    });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new CliError(`invalid address ${JSON.stringify(addr)}: only http:// and https:// are supported`);
  }
  return withScheme.replace(/\/+$/, "");
}
