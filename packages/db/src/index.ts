export { createDatabase, type Database, type DatabaseOptions } from "./client.js";
export type { DbClient } from "./db-client.js";
export { earliestDueTime, lockDueTests, lockLiveTest, setNextRunTimes } from "./due-tests.js";
export { AlreadyExistsError, MigrationChecksumError, NotFoundError } from "./errors.js";
export * from "./executions-repo.js";
export {
  type BuiltinSeedResult,
  createExecutorsRepository,
  ExecutorNameTakenError,
  type ExecutorRecord,
  type ExecutorsRepository,
  type ExecutorWriteMeta,
  findVisibleExecutorSpec,
} from "./executors-repo.js";
export { Prisma, type PrismaClient } from "./generated/prisma/client.js";
export {
  type K6RunDigestRecord,
  type K6RunSearch,
  type K6StatisticsRecord,
  type K6TestTrendRecord,
  k6Statistics,
  searchK6Runs,
} from "./k6-queries.js";
export type * from "./k6-report-record.js";
export { createK6ReportsRepository, type K6BaselineQuery, type K6ReportsRepository } from "./k6-reports-repo.js";
export type { LockedShardGroup, ShardState } from "./k6-shard-group.js";
export { createListener, type Listener, type ListenerOptions } from "./listener.js";
export { lockLiveTestIds } from "./lock-live-tests.js";
export { type ApplyMigrationsOptions, applyMigrations, MIGRATIONS } from "./migrate.js";
export { type Migration, readMigrationsDir } from "./migrations-dir.js";
export { CHANNELS, notify, type SqlQueryable } from "./notify.js";
export { InvalidPageTokenError } from "./page-token.js";
export {
  countPendingRunEvents,
  type FanOutResult,
  fanOutRunEvents,
  type OutboxBatch,
  type OutboxWebhook,
  RUN_EVENT_CHANNEL,
} from "./run-events-outbox.js";
export { type RunGroupTally, tallyRunsByMatrix, tallyRunsBySuiteRun } from "./run-group-tallies.js";
export * from "./runs/index.js";
export { createServerStateRepository, type ServerStateRepository } from "./server-state-repo.js";
export {
  createSigningKeysRepository,
  type GeneratedSigningKey,
  type SigningKeysRepository,
} from "./signing-keys-repo.js";
export { createSuiteRunsRepository, type SuiteRunRecord, type SuiteRunsRepository } from "./suite-runs-repo.js";
export {
  createSuitesRepository,
  type SuiteListQuery,
  type SuitesRepository,
  type SuiteWriteMeta,
} from "./suites-repo.js";
export type { TestPage, TestQuery } from "./test-query.js";
export { createTestsRepository, type TestsRepository } from "./tests-repo.js";
export { createTokensRepository, type NewAccessToken, type TokensRepository } from "./tokens-repo.js";
export type * from "./types.js";
export {
  type ClaimedDelivery,
  createWebhookDeliveriesRepository,
  type FailedAttempt,
  type WebhookDeliveriesRepository,
  type WebhookDeliveryRecord,
  type WebhookDeliveryState,
} from "./webhook-deliveries-repo.js";
export { createWebhooksRepository, type WebhookRecord, type WebhooksRepository } from "./webhooks-repo.js";
