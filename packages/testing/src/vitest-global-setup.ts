import type { TestProject } from "vitest/node";
import { createTemplateDatabase } from "./database-admin.js";
import { TEST_POSTGRES_KEY } from "./provided-context.js";
import { startPostgres } from "./start-postgres.js";

/**
 * Vitest globalSetup: one PostgreSQL server and one migrated template per test run, shared by
 * every worker; each test file then clones its own database with `useTestDatabase()`. Wire it
 * with `globalSetup: ["<repo>/packages/testing/src/vitest-global-setup.ts"]`.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startPostgres();
  try {
    const template = await createTemplateDatabase(server.adminUrl);
    project.provide(TEST_POSTGRES_KEY, { adminUrl: server.adminUrl, template });
  } catch (err) {
    await server.stop();
    throw err;
  }
  return () => server.stop();
}
