export {
  cloneDatabase,
  createEmptyDatabase,
  createTemplateDatabase,
  dropDatabase,
  withDatabase,
} from "./database-admin.js";
export { dockerSocketClient } from "./docker/docker-socket-client.js";
export {
  DOCKER_SOCKET,
  dockerAvailable,
  ensureTestImage,
  TEST_IMAGE,
  type TestImageDocker,
} from "./docker/ensure-test-image.js";
export {
  ensureK6StandinImage,
  K6_FIXTURES_DIR,
  K6_STANDIN_IMAGE,
  k6StandinScript,
  writeK6Standin,
} from "./docker/k6-standin-image.js";
export {
  type EmulatorKubeConfig,
  type KubeObject,
  type KubernetesEmulator,
  type KubernetesEmulatorOptions,
  type LogStreamDrop,
  type RecordedRequest,
  startKubernetesEmulator,
} from "./k8s/index.js";
export { TEST_POSTGRES_KEY, type TestPostgresInfo } from "./provided-context.js";
export { type PostgresServer, type StartPostgresOptions, startPostgres } from "./start-postgres.js";
export { type TestDatabase, type UseTestDatabaseOptions, useTestDatabase } from "./use-test-database.js";
