import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { createJsonLogger } from "@tstr/control-plane";
import type { DevConfig } from "../config.js";
import { startDevRunner } from "./dev-runner.js";
import { startLocalPostgres } from "./embedded-postgres.js";
import { saveBootstrapToken, startServe, untilSignal } from "./serve.js";

/**
 * `tstr dev`: the embedded default. A real PostgreSQL in `dataDir`, the server, and the admin
 * token printed on every start (kept in `dataDir/admin-token`), so a new user needs nothing else.
 */
export async function devCommand(config: DevConfig): Promise<void> {
  const dataDir = path.resolve(config.dataDir);
  await mkdir(dataDir, { recursive: true });
  const logger = createJsonLogger((line) => process.stderr.write(line), config.logLevel, { component: "dev" });
  process.stderr.write(`tstr dev: starting PostgreSQL (data in ${dataDir}) …\n`);
  const postgres = await startLocalPostgres(dataDir, config.pgPort, (line) =>
    logger.debug(line, { component: "postgres" }),
  );
  const tokenFile = path.join(dataDir, "admin-token");
  let serve: Awaited<ReturnType<typeof startServe>>;
  try {
    serve = await startServe(
      {
        listen: config.listen,
        databaseUrl: postgres.url,
        logLevel: config.logLevel,
        bootstrapTokenFile: undefined,
        readMaxBytes: 4 * 1024 * 1024,
        shutdownGraceMs: 5000,
        leaseMs: 30_000,
        logCapBytes: 10 * 1024 * 1024,
        syncDir: config.syncDir,
        syncIntervalMs: 30_000,
      },
      logger,
    );
  } catch (error) {
    await postgres.stop();
    throw error;
  }
  if (serve.bootstrapToken) await saveBootstrapToken(tokenFile, serve.bootstrapToken);
  const token = existsSync(tokenFile)
    ? (await readFile(tokenFile, "utf8")).trim()
    : `(missing: ${tokenFile} was deleted; issue a new admin token with the one you saved)`;
  const { runner, executor } = await startDevRunner({
    url: serve.url,
    adminToken: token,
    dataDir,
    logger,
    executor: config.runnerExecutor,
  });
  process.stdout.write(devBanner(serve.url, token, postgres.url, tokenFile, executor));
  await untilSignal(logger);
  await runner.stop();
  await serve.stop();
  await postgres.stop();
}

function devBanner(url: string, token: string, databaseUrl: string, tokenFile: string, executor: string): string {
  return `
tstr is running.

  Web UI       ${url}/  (sign in with the admin token)
  API URL      ${url}
  Admin token  ${token}
  Database     ${databaseUrl}
  Token file   ${tokenFile}
  Runner       dev-runner (${executor} executor, capacity 2)

Try it from another shell:

  export TSTR_ADDR=${url} TSTR_TOKEN=${token}
  pnpm tstrctl identity
  pnpm tstrctl test apply -f packages/cli/examples/
  pnpm tstrctl test list
  pnpm tstrctl run schedule hello --wait

Press Ctrl-C to stop.
`;
}
