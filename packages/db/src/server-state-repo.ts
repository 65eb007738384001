import type { Database } from "./client.js";
import type { DbClient } from "./db-client.js";
import { Prisma } from "./generated/prisma/client.js";
import { toJson } from "./json.js";

/** Small cluster-wide facts keyed by name (e.g. "bootstrap"). */
export interface ServerStateRepository {
  /**
   * Records `key` once: true only for the first caller ever, across replicas and restarts
   * (an INSERT … ON CONFLICT DO NOTHING), e.g. to print the bootstrap admin token exactly once.
   */
  claimOnce(key: string, value?: unknown, tx?: DbClient): Promise<boolean>;
  get(key: string, tx?: DbClient): Promise<unknown>;
  set(key: string, value: unknown, tx?: DbClient): Promise<void>;
}

/** Builds the server-state repository over a database. */
export function createServerStateRepository(db: Database): ServerStateRepository {
  return {
    async claimOnce(key, value = true, tx) {
      const { count } = await (tx ?? db.prisma).serverState.createMany({
        data: [{ key, value: stateValue(value) }],
        skipDuplicates: true,
      });
      return count === 1;
    },

    async get(key, tx) {
      const row = await (tx ?? db.prisma).serverState.findUnique({ where: { key } });
      return row ? row.value : undefined;
    },

    async set(key, value, tx) {
      await (tx ?? db.prisma).serverState.upsert({
        where: { key },
        create: { key, value: stateValue(value) },
        update: { value: stateValue(value) },
      });
    },
  };
}

// A JSON null must be spelled Prisma.JsonNull, or Prisma would try to write SQL NULL.
function stateValue(value: unknown) {
  return value === null ? Prisma.JsonNull : toJson(value);
}
