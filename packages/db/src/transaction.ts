import type { DbClient } from "./db-client.js";
import type { Prisma } from "./generated/prisma/client.js";

/**
 * Runs `fn` inside the caller's transaction when `client` is one (Prisma cannot nest them), or
 * in a new transaction otherwise, so a repository method stays atomic whether or not it is
 * composed into a larger unit of work.
 */
export function inTransaction<T>(client: DbClient, fn: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  return "$transaction" in client ? client.$transaction(fn) : fn(client);
}
