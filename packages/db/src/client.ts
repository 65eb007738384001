import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "./generated/prisma/client.js";

/**
 * One connection pool shared by Prisma (through the pg driver adapter, so no native query
 * engine is needed at runtime or in a bundle) and by hand-written SQL (queue claims, notify).
 */
export interface Database {
  /** The connection URL, for the dedicated LISTEN connections pooled clients cannot hold. */
  url: string;
  pool: pg.Pool;
  prisma: PrismaClient;
  close(): Promise<void>;
}

/** Options for {@link createDatabase}. */
export interface DatabaseOptions {
  /** Pool size; default 10. */
  max?: number;
  /** Errors of idle pooled connections (e.g. a server restart); default: ignored, the pool replaces them. */
  onIdleError?: (err: Error) => void;
}

/** Opens a pool and a Prisma client on it; `close()` ends both. */
export function createDatabase(url: string, opts: DatabaseOptions = {}): Database {
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10 });
  // Without a listener an idle connection killed by the server would crash the process.
  pool.on("error", opts.onIdleError ?? (() => undefined));
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  let closed: Promise<void> | undefined;
  return {
    url,
    pool,
    prisma,
    close() {
      closed ??= prisma.$disconnect().finally(() => pool.end());
      return closed;
    },
  };
}
