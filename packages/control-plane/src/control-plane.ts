import {
  createAuthInterceptor,
  createTokenVerifier,
  generateSigningKey,
  loadSigningKey,
  loadVerificationKey,
  type StoredSigningKey,
  type VerificationKey,
} from "@tstr/auth";
import {
  createServerStateRepository,
  createSigningKeysRepository,
  createTestsRepository,
  createTokensRepository,
  type Database,
} from "@tstr/db";
import { AdminService, ControlService, DataService, IdentityService, RunnerService } from "@tstr/proto";
import type { JWK } from "jose";
import { createExecutionSubsystem } from "./executions/execution-subsystem.js";
import { createExecutorSubsystem } from "./executors/executor-subsystem.js";
import { createK6Subsystem, type K6Options } from "./k6/k6-subsystem.js";
import type { Logger } from "./logging/logger.js";
import { createLoggingInterceptor } from "./logging/logging-interceptor.js";
import { createVisibleNamespaces } from "./namespaces/visible-namespaces.js";
import { createRunSubsystem, DEFAULT_RUN_TIMINGS, type RunTimings } from "./runs/run-subsystem.js";
import type { CronLoopOptions } from "./scheduling/cron-loop.js";
import { createRequestHandler, type ServiceBinding } from "./server/create-handler.js";
import { createServingHealth } from "./server/health-service.js";
import { createHttpRoutes } from "./server/http-routes.js";
import { startSniffingServer } from "./server/sniffing-server.js";
import { createWebAssets } from "./server/web-assets.js";
import { createAdminHandlers } from "./services/admin-handlers.js";
import { createControlHandlers } from "./services/control-handlers.js";
import { createDataHandlers } from "./services/data-handlers.js";
import { createIdentityHandlers } from "./services/identity-handlers.js";
import { createSuiteSubsystem } from "./suites/suite-subsystem.js";
import { createSyncSubsystem } from "./sync/sync-subsystem.js";
import { createTestCatalog } from "./tests/test-catalog.js";
import { issueBootstrapToken } from "./tokens/bootstrap.js";
import { createTokenService } from "./tokens/token-service.js";
import { createWebhookSubsystem, type WebhookOptions } from "./webhooks/webhook-subsystem.js";

export interface ControlPlaneOptions {
  host: string;
  port: number;
  /** Largest accepted request message (default 4 MiB). */
  readMaxBytes?: number;
  /** How long shutdown waits for in-flight calls before cutting them (default 10 s). */
  shutdownGraceMs?: number;
  /**
   * How long a stopping server keeps serving while reporting NOT_SERVING, so load balancers and
   * health watchers see it leave before connections close (default 500 ms).
   */
  drainDelayMs?: number;
  /** Leases, heartbeats, reaper and log cap; see DEFAULT_RUN_TIMINGS. */
  runTimings?: Partial<RunTimings>;
  /** How long a token's revocation status is cached (default 2 s). */
  tokenStatusTtlMs?: number;
  /**
   * A signing key supplied by the operator (file or env); without it the key is generated on the
   * first start and kept in the database, shared by every replica.
   */
  signingKey?: StoredSigningKey;
  /** Cron scheduler options (poll, batch, catch-up grace); false runs none in this replica. */
  cron?: CronLoopOptions | false;
  /** A folder of definition files kept in sync (created, updated and pruned) with the catalog. */
  syncDir?: string;
  /** How often the sync folder is fully rescanned, besides file events (default 30 s). */
  syncIntervalMs?: number;
  /** k6 reports: optional LLM summaries, baseline size, merge sweep. */
  k6?: K6Options;
  /** Webhook retries, timeouts and polling; false runs no webhook workers in this replica. */
  webhooks?: WebhookOptions | false;
  /** Folder of the built web UI (index.html + assets/), served at `/`; without it `/` says how to build it. */
  webDir?: string;
}

export interface ControlPlaneDeps {
  db: Database;
  logger: Logger;
  now?: () => Date;
}

/** A running control plane: its URL, the token made on the database's first start, and stop. */
export interface ControlPlane {
  url: string;
  port: number;
  /** Set only on the first start of a fresh database; show it once. */
  bootstrapToken?: string;
  stop(): Promise<void>;
}

/** Wires repositories, services, auth and the one-port server together and starts listening. */
export async function startControlPlane(deps: ControlPlaneDeps, options: ControlPlaneOptions): Promise<ControlPlane> {
  const { db, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const signingKeys = createSigningKeysRepository(db);
  const key = await loadSigningKey(options.signingKey ?? (await signingKeys.getOrCreateActiveKey(generateSigningKey)));
  // Tokens signed by the database key stay valid when an operator switches to a key file.
  const verificationKeys = new Map<string, VerificationKey>([[key.kid, key]]);
  for (const stored of await signingKeys.listPublicKeys()) {
    if (!verificationKeys.has(stored.kid)) {
      verificationKeys.set(stored.kid, await loadVerificationKey({ ...stored, publicJwk: stored.publicJwk as JWK }));
    }
  }
  // Built-in executors are in place before this replica serves (every replica; idempotent).
  const executors = createExecutorSubsystem({ db, logger, now });
  await executors.seedBuiltins();
  const testsRepo = createTestsRepository(db);
  const tokensRepo = createTokensRepository(db);
  const tokens = createTokenService({ tokens: tokensRepo, key, now });
  const catalog = createTestCatalog({ tests: testsRepo, now, executors: executors.lookup });
  const verifier = createTokenVerifier({
    keyFor: (kid) => verificationKeys.get(kid),
    status: { isActive: async (id) => (await tokensRepo.statusById(id, now())) === "active" },
    statusTtlMs: options.tokenStatusTtlMs,
    now,
  });
  const visibleNamespaces = createVisibleNamespaces(() => testsRepo.listNamespaces());
  const k6 = createK6Subsystem({ db, logger, now }, options.k6);
  const runSystem = createRunSubsystem({
    db,
    logger,
    now,
    catalog,
    executors: executors.lookup,
    tokens,
    timings: { ...DEFAULT_RUN_TIMINGS, ...options.runTimings },
    cron: options.cron,
    k6: k6.hooks,
  });
  await runSystem.ready;
  const suites = createSuiteSubsystem({ db, tests: testsRepo, scheduler: runSystem.scheduler, logger, now });
  const sync = createSyncSubsystem(
    { db, catalog, suites: suites.catalog, executors: executors.catalog, logger },
    options,
  );
  const webhooks = createWebhookSubsystem({ db, logger, now }, options.webhooks);
  const bindings: ServiceBinding[] = [
    {
      service: ControlService,
      impl: {
        ...createControlHandlers({ catalog }),
        ...runSystem.control,
        ...suites.control,
        ...sync.control,
        ...executors.control,
        ...webhooks.control,
        ...createExecutionSubsystem({ db, now }).control,
      },
    },
    {
      service: DataService,
      impl: {
        ...createDataHandlers({ catalog, tests: testsRepo, suites: suites.catalog, visibleNamespaces }),
        ...runSystem.data,
        ...suites.data,
        ...k6.data,
      },
    },
    { service: RunnerService, impl: runSystem.runner },
    { service: AdminService, impl: createAdminHandlers({ tokens, runners: runSystem.admin }) },
    {
      service: IdentityService,
      impl: createIdentityHandlers({
        tokens,
        visibleNamespaces,
      }),
    },
  ] as ServiceBinding[];
  const health = createServingHealth(bindings.map((b) => b.service.typeName));
  const shutdown = new AbortController();
  const handler = createRequestHandler({
    bindings,
    interceptors: [createLoggingInterceptor(logger), createAuthInterceptor(verifier)],
    health: health.state,
    readMaxBytes: options.readMaxBytes ?? 4 * 1024 * 1024,
    shutdownSignal: shutdown.signal,
    fallback: createHttpRoutes(health.isServing, createWebAssets(options.webDir)),
  });
  const server = await startSniffingServer(
    handler,
    { host: options.host, port: options.port },
    { onError: (error) => logger.error("listener error", { error }) },
  );
  let bootstrapToken: string | undefined;
  try {
    bootstrapToken = await issueBootstrapToken(createServerStateRepository(db), tokens);
  } catch (error) {
    await server.close(0);
    await runSystem.stop();
    throw error;
  }
  sync.start();
  k6.start();
  webhooks.start();
  return {
    url: server.url,
    port: server.port,
    bootstrapToken,
    async stop() {
      health.setServing(false);
      await new Promise((resolve) => setTimeout(resolve, options.drainDelayMs ?? 500));
      shutdown.abort();
      await sync.stop();
      await runSystem.stop();
      await server.close(options.shutdownGraceMs ?? 10_000);
      await k6.stop();
      await webhooks.stop();
      logger.info("stopped");
    },
  };
}
