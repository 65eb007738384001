import { existsSync } from "node:fs";
import { chmod, writeFile } from "node:fs/promises";
import path from "node:path";
import { createJsonLogger, type Logger, startControlPlane } from "@tstr/control-plane";
import { applyMigrations, createDatabase } from "@tstr/db";
import type { ServeConfig } from "../config.js";
import { readSigningKeyFile } from "./keygen.js";

/** A started server with its database, stopped together. */
export interface ServeHandle {
  url: string;
  bootstrapToken?: string;
  stop(): Promise<void>;
}

/**
 * Applies pending migrations (under an advisory lock, so replicas may start together), starts the
 * control plane, and reports the bootstrap admin token on a fresh database.
 */
export async function startServe(config: ServeConfig, logger: Logger): Promise<ServeHandle> {
  const db = createDatabase(config.databaseUrl);
  try {
    const { applied } = await applyMigrations(db.pool, {
      log: (msg) => logger.info(msg),
    });
    if (applied.length) logger.info("migrations applied", { applied });
    const signingKey = config.signingKeyFile ? await readSigningKeyFile(config.signingKeyFile) : undefined;
    const plane = await startControlPlane(
      { db, logger },
      {
        host: config.listen.host,
        port: config.listen.port,
        readMaxBytes: config.readMaxBytes,
        shutdownGraceMs: config.shutdownGraceMs,
        signingKey,
        syncDir: config.syncDir,
        syncIntervalMs: config.syncIntervalMs,
        webDir: resolveWebDir(),
        k6: config.llmEndpoint
          ? {
              llm: {
                endpoint: config.llmEndpoint,
                model: config.llmModel ?? "",
                apiKey: config.llmApiKey,
                timeoutMs: config.llmTimeoutMs,
              },
            }
          : undefined,
        runTimings: {
          leaseMs: config.leaseMs,
          heartbeatIntervalMs: Math.max(200, Math.round(config.leaseMs / 6)),
          logCapBytes: config.logCapBytes,
        },
      },
    );
    return {
      url: plane.url,
      bootstrapToken: plane.bootstrapToken,
      async stop() {
        await plane.stop();
        await db.close();
      },
    };
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
}

/**
 * Where the built web UI is: `web/` next to the bundled binary (`pnpm build`, the image), else
 * `apps/web/dist` when running from the source tree. When neither is built, the one this kind of
 * run would use is returned, so the server's "not built" page names the right place.
 */
export function resolveWebDir(): string {
  const bundled = path.join(import.meta.dirname, "web");
  const source = path.resolve(import.meta.dirname, "../../../web/dist");
  const found = [bundled, source].find((dir) => existsSync(path.join(dir, "index.html")));
  return found ?? (import.meta.filename.endsWith(".ts") ? source : bundled);
}

/** Writes the first-start admin token to a file only its owner can read. */
export async function saveBootstrapToken(file: string, token: string): Promise<void> {
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
}

/** `tstr serve`: runs until SIGINT/SIGTERM, then drains and exits. */
export async function serveCommand(config: ServeConfig): Promise<void> {
  const logger = createJsonLogger((line) => process.stderr.write(line), config.logLevel, { component: "server" });
  const handle = await startServe(config, logger);
  if (handle.bootstrapToken) {
    process.stderr.write(bootstrapBanner(handle.bootstrapToken, config.bootstrapTokenFile));
    if (config.bootstrapTokenFile) {
      await saveBootstrapToken(config.bootstrapTokenFile, handle.bootstrapToken).catch((error: Error) =>
        logger.error("could not write the bootstrap token file; the token is shown above", { error: error.message }),
      );
    }
  }
  logger.info("serving", {
    url: handle.url,
    webUi: `${handle.url}/`,
    protocols: ["connect", "grpc", "grpc-web"],
    transports: ["http/1.1", "h2c"],
  });
  await untilSignal(logger);
  await handle.stop();
}

function bootstrapBanner(token: string, file: string | undefined): string {
  return [
    "",
    "First start of this database: an admin token was created. It is shown only this once:",
    "",
    `  ${token}`,
    "",
    file ? `It was also written to ${file} (mode 0600).` : "Store it now, e.g. export TSTR_TOKEN=<token>.",
    'Sign in to the web UI (the URL in the "serving" line below) with it.',
    "",
  ].join("\n");
}

/** Resolves on the first SIGINT or SIGTERM. */
export function untilSignal(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      logger.info("shutting down", { signal });
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
