export {
  cloneDatabase,
  createEmptyDatabase,
  createTemplateDatabase,
  dropDatabase,
  withDatabase,
} from "./database-admin.js";
export { DOCKER_SOCKET, dockerAvailable, ensureTestImage, TEST_IMAGE } from "./docker/ensure-test-image.js";
export { TEST_POSTGRES_KEY, type TestPostgresInfo } from "./provided-context.js";
export { type PostgresServer, type StartPostgresOptions, startPostgres } from "./start-postgres.js";
export { type TestDatabase, type UseTestDatabaseOptions, useTestDatabase } from "./use-test-database.js";
