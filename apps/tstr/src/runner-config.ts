import { hostname } from "node:os";
import { parseArgs } from "node:util";
import {
  parseDuration,
  parseSelector,
  ValidationError,
  validateLabelKey,
  validateLabelValue,
  validateNamespaceSelector,
} from "@tstr/domain";
import { z } from "zod";
import { ConfigError } from "./config.js";

const runnerSchema = z.object({
  server: z.string().regex(/^https?:\/\/[^\s/]+/, "must be an http:// or https:// URL, e.g. http://127.0.0.1:7420"),
  token: z
    .string({ error: "a runner token is required: pass --token or set TSTR_RUNNER_TOKEN (or TSTR_TOKEN)" })
    .min(1, "a runner token is required: pass --token or set TSTR_RUNNER_TOKEN (or TSTR_TOKEN)"),
  name: z.string().min(1, "must not be empty").max(253, "must be at most 253 characters"),
  labels: z.record(z.string(), z.string()),
  acceptSelectors: z.array(z.string()),
  rejectSelectors: z.array(z.string()),
  namespaceSelectors: z.array(z.string()).min(1, "at least one namespace selector is needed"),
  capacity: z.coerce.number().int("must be a whole number").min(1).max(1000),
  executor: z.enum(["docker", "process", "kubernetes"]),
  workDir: z.string().min(1),
  kubeNamespace: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "must be a Kubernetes namespace name (a DNS label)")
    .optional(),
  kubeconfig: z.string().min(1, "must not be empty").optional(),
  dockerNetwork: z.enum(["none", "host"], { error: "must be none or host (the default bridge is never used)" }),
  dispatch: z.enum(["stream", "poll"]),
  drainTimeoutMs: z.number().min(0, "must not be negative"),
  logLevel: z.enum(["debug", "info", "warn", "error"]),
});

/** A validated `tstr runner` configuration. */
export type RunnerConfig = z.infer<typeof runnerSchema>;

/** Single-valued flags and the environment variable each falls back to. */
const SCALAR_FLAGS = {
  server: { env: ["TSTR_ADDR"], default: "http://127.0.0.1:7420" },
  token: { env: ["TSTR_RUNNER_TOKEN", "TSTR_TOKEN"] },
  name: { env: ["TSTR_RUNNER_NAME"] },
  capacity: { env: ["TSTR_RUNNER_CAPACITY"], default: "1" },
  executor: { env: ["TSTR_RUNNER_EXECUTOR"], default: "docker" },
  "work-dir": { env: ["TSTR_RUNNER_WORK_DIR"], default: ".tstr/runner" },
  "docker-network": { env: ["TSTR_RUNNER_DOCKER_NETWORK"], default: "none" },
  "kube-namespace": { env: ["TSTR_RUNNER_KUBE_NAMESPACE"] },
  kubeconfig: { env: ["TSTR_RUNNER_KUBECONFIG"] },
  dispatch: { env: ["TSTR_RUNNER_DISPATCH"], default: "stream" },
  "drain-timeout": { env: ["TSTR_RUNNER_DRAIN_TIMEOUT"], default: "30s" },
  "log-level": { env: ["TSTR_LOG_LEVEL"], default: "info" },
} as const;

/**
 * Repeatable flags. Their environment variables hold several values: labels separated by `,`,
 * selectors by `;` (a selector itself contains commas: `tier in (web,api)`).
 */
const LIST_FLAGS = {
  label: { env: "TSTR_RUNNER_LABELS", separator: "," },
  accept: { env: "TSTR_RUNNER_ACCEPT", separator: ";" },
  reject: { env: "TSTR_RUNNER_REJECT", separator: ";" },
  "namespace-selector": { env: "TSTR_RUNNER_NAMESPACE_SELECTORS", separator: ";", default: [".*"] },
} as const;

export const RUNNER_USAGE = `usage: tstr runner [flags]

  Registers with the server and executes the runs it is given until SIGTERM/SIGINT, which
  drains: no new work, in-flight runs finish (or are handed back after --drain-timeout).

  --server URL                server to register with (env TSTR_ADDR, default http://127.0.0.1:7420)
  --token TOKEN               runner-scoped token (env TSTR_RUNNER_TOKEN or TSTR_TOKEN, required)
  --name NAME                 runner name; re-registering a name reuses its row
                              (env TSTR_RUNNER_NAME, default the host name)
  --label KEY=VALUE           label of this runner, repeatable (env TSTR_RUNNER_LABELS="a=b,c=d")
  --accept SELECTOR           take only runs whose labels match one of these, repeatable, e.g.
                              'team=qa, tier in (web,api)' (env TSTR_RUNNER_ACCEPT, ';'-separated;
                              default: every run)
  --reject SELECTOR           never take runs matching this, repeatable (env TSTR_RUNNER_REJECT)
  --namespace-selector RE     namespaces to take runs from (anchored regex), repeatable
                              (env TSTR_RUNNER_NAMESPACE_SELECTORS, ';'-separated, default .*)
  --capacity N                runs executed at once (env TSTR_RUNNER_CAPACITY, default 1)
  --executor docker|process|kubernetes
                              where workloads run (env TSTR_RUNNER_EXECUTOR, default docker)
  --work-dir DIR              per-run directories of the process executor
                              (env TSTR_RUNNER_WORK_DIR, default .tstr/runner)
  --docker-network none|host  network of Docker workloads that name none: none isolates them,
                              host lets them reach services (a k6 target) (env
                              TSTR_RUNNER_DOCKER_NETWORK, default none)
  --kube-namespace NAME       namespace of the Kubernetes executor's Jobs (env
                              TSTR_RUNNER_KUBE_NAMESPACE, default the kubeconfig context's)
  --kubeconfig FILE           kubeconfig of the Kubernetes executor (env TSTR_RUNNER_KUBECONFIG;
                              default $KUBECONFIG, ~/.kube/config, else the pod's service account)
  --dispatch stream|poll      receive work on a server stream, or by long polling for proxies
                              that cannot hold one (env TSTR_RUNNER_DISPATCH, default stream)
  --drain-timeout DURATION    how long in-flight runs may finish on shutdown before they are
                              handed back (env TSTR_RUNNER_DRAIN_TIMEOUT, default 30s)
  --log-level LEVEL           debug|info|warn|error (env TSTR_LOG_LEVEL, default info)
`;

/** The flag each config field came from, for error messages. */
const FIELD_FLAGS: Record<keyof RunnerConfig, string> = {
  server: "server",
  token: "token",
  name: "name",
  labels: "label",
  acceptSelectors: "accept",
  rejectSelectors: "reject",
  namespaceSelectors: "namespace-selector",
  capacity: "capacity",
  executor: "executor",
  workDir: "work-dir",
  dockerNetwork: "docker-network",
  kubeNamespace: "kube-namespace",
  kubeconfig: "kubeconfig",
  dispatch: "dispatch",
  drainTimeoutMs: "drain-timeout",
  logLevel: "log-level",
};

/**
 * Parses `tstr runner` flags, falling back to environment variables, into a typed config.
 * Selectors are parsed here so a typo is reported at start (with its position), not by the
 * server at registration. `host` is the default runner name (the machine's host name).
 */
export function parseRunnerConfig(
  argv: string[],
  env: Record<string, string | undefined>,
  host: string = hostname(),
): RunnerConfig {
  const { scalars, lists } = readRunnerFlags(argv, env);
  const acceptSelectors = checkedSelectors("accept", lists.accept);
  const rejectSelectors = checkedSelectors("reject", lists.reject);
  for (const [index, selector] of lists["namespace-selector"].entries()) {
    const problem = validateNamespaceSelector(selector);
    if (problem) throw new ConfigError(`--namespace-selector #${index + 1} ${JSON.stringify(selector)}: ${problem}`);
  }
  const result = runnerSchema.safeParse({
    server: scalars.server?.replace(/\/+$/, ""),
    token: scalars.token,
    name: scalars.name ?? host,
    labels: parseLabels(lists.label),
    acceptSelectors,
    rejectSelectors,
    namespaceSelectors: lists["namespace-selector"],
    capacity: scalars.capacity,
    executor: scalars.executor,
    workDir: scalars["work-dir"],
    dockerNetwork: scalars["docker-network"],
    kubeNamespace: scalars["kube-namespace"],
    kubeconfig: scalars.kubeconfig,
    dispatch: scalars.dispatch,
    drainTimeoutMs: parseDrainTimeout(scalars["drain-timeout"] ?? ""),
    logLevel: scalars["log-level"],
  });
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path[0] as keyof RunnerConfig | undefined;
  throw new ConfigError(`--${field ? FIELD_FLAGS[field] : ""}: ${issue?.message ?? "invalid"}`);
}

function readRunnerFlags(argv: string[], env: Record<string, string | undefined>) {
  let values: Record<string, string | string[] | boolean | boolean[] | undefined>;
  try {
    values = parseArgs({
      args: argv,
      options: {
        ...Object.fromEntries(Object.keys(SCALAR_FLAGS).map((name) => [name, { type: "string" as const }])),
        ...Object.fromEntries(
          Object.keys(LIST_FLAGS).map((name) => [name, { type: "string" as const, multiple: true }]),
        ),
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  const scalars: Partial<Record<keyof typeof SCALAR_FLAGS, string>> = {};
  for (const [name, spec] of Object.entries(SCALAR_FLAGS) as [
    keyof typeof SCALAR_FLAGS,
    (typeof SCALAR_FLAGS)[keyof typeof SCALAR_FLAGS],
  ][]) {
    const flag = values[name];
    const fromEnv = spec.env.map((key) => env[key]).find((value) => value !== undefined && value !== "");
    scalars[name] = typeof flag === "string" ? flag : (fromEnv ?? ("default" in spec ? spec.default : undefined));
  }
  const lists = {} as Record<keyof typeof LIST_FLAGS, string[]>;
  for (const [name, spec] of Object.entries(LIST_FLAGS) as [
    keyof typeof LIST_FLAGS,
    (typeof LIST_FLAGS)[keyof typeof LIST_FLAGS],
  ][]) {
    const flag = values[name];
    const fromEnv = env[spec.env]
      ?.split(spec.separator)
      .map((item) => item.trim())
      .filter((item) => item !== "");
    const fallback = "default" in spec ? [...spec.default] : [];
    lists[name] = Array.isArray(flag) && flag.length > 0 ? (flag as string[]) : fromEnv?.length ? fromEnv : fallback;
  }
  return { scalars, lists };
}

function checkedSelectors(flag: string, selectors: string[]): string[] {
  for (const [index, selector] of selectors.entries()) {
    try {
      parseSelector(selector);
    } catch (error) {
      throw new ConfigError(`--${flag} #${index + 1} ${JSON.stringify(selector)}: ${(error as Error).message}`);
    }
  }
  return selectors;
}

function parseLabels(items: string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const item of items) {
    const cut = item.indexOf("=");
    if (cut <= 0) throw new ConfigError(`--label ${JSON.stringify(item)}: expected KEY=VALUE, e.g. region=eu-west`);
    const key = item.slice(0, cut).trim();
    const value = item.slice(cut + 1).trim();
    const problem = validateLabelKey(key) ?? validateLabelValue(value);
    if (problem) throw new ConfigError(`--label ${JSON.stringify(item)}: ${problem}`);
    labels[key] = value;
  }
  return labels;
}

function parseDrainTimeout(text: string): number {
  try {
    return parseDuration(text, "drain-timeout");
  } catch (error) {
    const message = error instanceof ValidationError ? error.violations[0]?.message : (error as Error).message;
    throw new ConfigError(`--drain-timeout: ${message}`);
  }
}
