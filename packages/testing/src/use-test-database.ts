import { createDatabase, type Database, type DatabaseOptions } from "@tstr/db";
import { afterAll, beforeAll, inject } from "vitest";
import { cloneDatabase, createEmptyDatabase, dropDatabase, withDatabase } from "./database-admin.js";
import { TEST_POSTGRES_KEY, type TestPostgresInfo } from "./provided-context.js";

/** A per-file database; read its fields inside tests or hooks (they are set in beforeAll). */
export interface TestDatabase {
  /** URL of this file's database. */
  readonly url: string;
  /** Database name, e.g. to open extra pools. */
  readonly name: string;
  /** A `Database` on it, opened on first use and closed after the file. */
  readonly db: Database;
  /** Facts about the shared server, e.g. to create more databases. */
  readonly server: TestPostgresInfo;
}

/** Options for {@link useTestDatabase}. */
export interface UseTestDatabaseOptions extends DatabaseOptions {
  /** Start from an empty database instead of a migrated clone (to test migrations). */
  empty?: boolean;
}

/**
 * Gives the calling test file its own database, cloned from the migrated template in
 * milliseconds, and drops it after the file. Requires the globalSetup from this package.
 */
export function useTestDatabase(opts: UseTestDatabaseOptions = {}): TestDatabase {
  const { empty, ...databaseOptions } = opts;
  let server: TestPostgresInfo | undefined;
  let name: string | undefined;
  let db: Database | undefined;
  const ready = () => {
    if (!server || !name) throw new Error("useTestDatabase(): fields are available inside tests and hooks");
    return { server, name };
  };

  beforeAll(async () => {
    server = inject(TEST_POSTGRES_KEY);
    if (!server) {
      throw new Error(
        "no test PostgreSQL: add @tstr/testing's src/vitest-global-setup.ts to globalSetup in the vitest config",
      );
    }
    name = empty ? await createEmptyDatabase(server.adminUrl) : await cloneDatabase(server.adminUrl, server.template);
  });

  afterAll(async () => {
    await db?.close();
    if (server && name) await dropDatabase(server.adminUrl, name);
  });

  return {
    get url() {
      const { server, name } = ready();
      return withDatabase(server.adminUrl, name);
    },
    get name() {
      return ready().name;
    },
    get server() {
      return ready().server;
    },
    get db() {
      db ??= createDatabase(this.url, databaseOptions);
      return db;
    },
  };
}
