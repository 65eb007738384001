import { parseArgs } from "node:util";
import { parseDuration } from "@tstr/domain";
import { z } from "zod";

/** Thrown for bad flags or environment; the message names the flag and the fix. */
export class ConfigError extends Error {}

const listenSchema = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[^:\s]*):\d{1,5}$/, "expected HOST:PORT, e.g. 127.0.0.1:7420 or [::1]:7420")
  .transform((text) => {
    const cut = text.lastIndexOf(":");
    const host = text.slice(0, cut).replace(/^\[|\]$/g, "") || "0.0.0.0";
    const port = Number(text.slice(cut + 1));
    return { host, port };
  })
  .refine((l) => l.port <= 65535, "port must be at most 65535");

const logLevel = z.enum(["debug", "info", "warn", "error"]);

const serveSchema = z.object({
  listen: listenSchema,
  databaseUrl: z
    .string({
      error: "a database is required: pass --database-url or set DATABASE_URL (or use `tstr dev`)",
    })
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL"),
  logLevel,
  bootstrapTokenFile: z.string().optional(),
  signingKeyFile: z.string().optional(),
  readMaxBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .max(256 * 1024 * 1024),
  shutdownGraceMs: z.coerce.number().int().min(0).max(600_000),
  leaseMs: z.number().int().min(500, "must be at least 500ms").max(3_600_000, "must be at most 1h"),
  logCapBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1024 ** 4),
  syncDir: z.string().min(1, "must name a folder").optional(),
  syncIntervalMs: z.number().int().min(1000, "must be at least 1s").max(86_400_000, "must be at most 24h"),
  llmEndpoint: z
    .string()
    .regex(/^https?:\/\/[^\s/]+/, "must be an http:// or https:// URL")
    .optional(),
  llmModel: z.string().min(1, "must name a model").optional(),
  llmApiKey: z.string().optional(),
  llmTimeoutMs: z.number().int().min(100, "must be at least 100ms").max(600_000, "must be at most 10m").optional(),
});

export type ServeConfig = z.infer<typeof serveSchema>;

/** Flags of `tstr serve`, each with the environment variable it falls back to. */
const SERVE_FLAGS = {
  listen: { env: "TSTR_LISTEN", default: "127.0.0.1:7420" },
  "database-url": { env: "DATABASE_URL" },
  "log-level": { env: "TSTR_LOG_LEVEL", default: "info" },
  "bootstrap-token-file": { env: "TSTR_BOOTSTRAP_TOKEN_FILE" },
  "signing-key-file": { env: "TSTR_SIGNING_KEY_FILE" },
  lease: { env: "TSTR_RUN_LEASE", default: "30s" },
  "log-cap-bytes": { env: "TSTR_LOG_CAP_BYTES", default: String(10 * 1024 * 1024) },
  "read-max-bytes": {
    env: "TSTR_READ_MAX_BYTES",
    default: String(4 * 1024 * 1024),
  },
  "shutdown-grace": { env: "TSTR_SHUTDOWN_GRACE_MS", default: "10000" },
  "sync-dir": { env: "TSTR_SYNC_DIR" },
  "sync-interval": { env: "TSTR_SYNC_INTERVAL", default: "30s" },
  "llm-endpoint": { env: "TSTR_LLM_ENDPOINT" },
  "llm-model": { env: "TSTR_LLM_MODEL" },
  "llm-timeout": { env: "TSTR_LLM_TIMEOUT", default: "30s" },
} as const;

export const SERVE_USAGE = `usage: tstr serve [flags]

  --listen HOST:PORT          address to serve on (env TSTR_LISTEN, default 127.0.0.1:7420)
  --database-url URL          PostgreSQL URL (env DATABASE_URL, required)
  --log-level LEVEL           debug|info|warn|error (env TSTR_LOG_LEVEL, default info)
  --bootstrap-token-file F    also write the first-start admin token to F, mode 0600
                              (env TSTR_BOOTSTRAP_TOKEN_FILE)
  --signing-key-file F        token signing key (JWK JSON from \`tstr keygen\`); default: a key
                              generated on first start and kept in the database (env TSTR_SIGNING_KEY_FILE)
  --read-max-bytes N          largest accepted request message (env TSTR_READ_MAX_BYTES, 4 MiB)
  --shutdown-grace MS         time in-flight calls get on SIGTERM (env TSTR_SHUTDOWN_GRACE_MS, 10000)
  --lease DURATION            how long a silent runner keeps its runs before they are re-queued
                              (env TSTR_RUN_LEASE, default 30s; runners heartbeat 6 times per lease)
  --log-cap-bytes N           per-run log cap; later output is dropped after a marker
                              (env TSTR_LOG_CAP_BYTES, default 10 MiB)
  --sync-dir DIR              keep tests and suites equal to the *.yaml/*.yml/*.json files below DIR:
                              created, updated, and deleted when their file goes (env TSTR_SYNC_DIR)
  --sync-interval DURATION    full rescan of --sync-dir besides file events (env TSTR_SYNC_INTERVAL, 30s)
  --llm-endpoint URL          OpenAI-compatible API (e.g. http://127.0.0.1:11434 or https://api.openai.com/v1)
                              that summarises each k6 report; off by default (env TSTR_LLM_ENDPOINT;
                              a bearer token is read from env TSTR_LLM_API_KEY)
  --llm-model NAME            the model to ask (env TSTR_LLM_MODEL; required with --llm-endpoint)
  --llm-timeout DURATION      longest wait for one summary (env TSTR_LLM_TIMEOUT, default 30s)
`;

/** Parses `tstr serve` flags with environment fallbacks into a typed config. */
export function parseServeConfig(argv: string[], env: Record<string, string | undefined>): ServeConfig {
  const values = readFlags(argv, SERVE_FLAGS, env);
  if (values["llm-endpoint"] && !values["llm-model"]) {
    throw new ConfigError("--llm-model: is required with --llm-endpoint (or set TSTR_LLM_MODEL)");
  }
  return validate(serveSchema, {
    listen: values.listen,
    databaseUrl: values["database-url"],
    logLevel: values["log-level"],
    bootstrapTokenFile: values["bootstrap-token-file"],
    signingKeyFile: values["signing-key-file"],
    leaseMs: durationFlag("lease", values.lease),
    logCapBytes: values["log-cap-bytes"],
    readMaxBytes: values["read-max-bytes"],
    shutdownGraceMs: values["shutdown-grace"],
    syncDir: values["sync-dir"] || undefined,
    syncIntervalMs: durationFlag("sync-interval", values["sync-interval"]),
    llmEndpoint: values["llm-endpoint"] || undefined,
    llmModel: values["llm-model"] || undefined,
    llmApiKey: env.TSTR_LLM_API_KEY || undefined,
    llmTimeoutMs: durationFlag("llm-timeout", values["llm-timeout"]),
  });
}

export const MIGRATE_USAGE = `usage: tstr migrate [--database-url URL]

  Applies pending database migrations (env DATABASE_URL). Safe to run from several places at once.
`;

/** Parses `tstr migrate` flags. */
export function parseMigrateConfig(argv: string[], env: Record<string, string | undefined>) {
  const values = readFlags(argv, { "database-url": SERVE_FLAGS["database-url"] }, env);
  return validate(serveSchema.pick({ databaseUrl: true }), {
    databaseUrl: values["database-url"],
  });
}

const devSchema = z.object({
  listen: listenSchema,
  dataDir: z.string().min(1),
  pgPort: z.coerce.number().int().min(1).max(65535),
  logLevel,
  runnerExecutor: z.enum(["auto", "docker", "process"]),
  syncDir: z.string().min(1, "must name a folder").optional(),
});
export type DevConfig = z.infer<typeof devSchema>;

export const DEV_USAGE = `usage: tstr dev [flags]

  Runs everything locally: an embedded PostgreSQL (data kept in --data-dir), the server, and
  prints the URL and an admin token. A second start reuses the data.

  --listen HOST:PORT   (env TSTR_LISTEN, default 127.0.0.1:7420)
  --data-dir DIR       (env TSTR_DEV_DATA_DIR, default .tstr/dev)
  --pg-port PORT       embedded PostgreSQL port (env TSTR_DEV_PG_PORT, default 54329)
  --log-level LEVEL    (env TSTR_LOG_LEVEL, default warn)
  --runner-executor E  the local runner's executor: auto (Docker when an engine answers, else
                       process), docker or process (env TSTR_DEV_RUNNER_EXECUTOR, default auto)
  --sync-dir DIR       keep tests and suites equal to the definition files below DIR (env TSTR_SYNC_DIR)
`;

/** Parses `tstr dev` flags. */
export function parseDevConfig(argv: string[], env: Record<string, string | undefined>): DevConfig {
  const values = readFlags(
    argv,
    {
      listen: SERVE_FLAGS.listen,
      "data-dir": { env: "TSTR_DEV_DATA_DIR", default: ".tstr/dev" },
      "pg-port": { env: "TSTR_DEV_PG_PORT", default: "54329" },
      "log-level": { env: "TSTR_LOG_LEVEL", default: "warn" },
      "runner-executor": { env: "TSTR_DEV_RUNNER_EXECUTOR", default: "auto" },
      "sync-dir": SERVE_FLAGS["sync-dir"],
    },
    env,
  );
  return validate(devSchema, {
    listen: values.listen,
    dataDir: values["data-dir"],
    pgPort: values["pg-port"],
    logLevel: values["log-level"],
    runnerExecutor: values["runner-executor"],
    syncDir: values["sync-dir"] || undefined,
  });
}

type FlagSpec = Record<string, { env: string; default?: string }>;

function readFlags<F extends FlagSpec>(argv: string[], flags: F, env: Record<string, string | undefined>) {
  let parsed: Record<string, string | boolean | undefined>;
  try {
    parsed = parseArgs({
      args: argv,
      options: Object.fromEntries(Object.keys(flags).map((name) => [name, { type: "string" as const }])),
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  const out: Record<string, string | undefined> = {};
  for (const [name, spec] of Object.entries(flags)) {
    const flag = parsed[name];
    out[name] = typeof flag === "string" ? flag : (env[spec.env] ?? spec.default);
  }
  return out as Record<keyof F, string | undefined>;
}

function validate<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.join(".").replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`) ?? "";
  throw new ConfigError(`--${field}: ${issue?.message ?? "invalid"}`);
}

/** A Go-style duration flag (`30s`, `1m30s`) in milliseconds; NaN (refused by the schema) when invalid. */
function durationFlag(name: string, text: string | undefined): number {
  try {
    return parseDuration(text ?? "", name);
  } catch (error) {
    throw new ConfigError(`--${name}: ${(error as Error).message}`);
  }
}
