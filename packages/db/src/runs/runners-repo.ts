import type pg from "pg";
import { withPgTransaction } from "./pg-transaction.js";

/** A registered runner agent. */
export interface RunnerRecord {
  id: string;
  name: string;
  namespaceSelectors: string[];
  labels: Record<string, string>;
  acceptSelectors: string[];
  rejectSelectors: string[];
  capacity: number;
  executors: string[];
  version: string;
  tokenId?: string;
  registeredAt: Date;
  lastHeartbeatAt?: Date;
  draining: boolean;
}

export type RunnerRegistration = Omit<
  RunnerRecord,
  "id" | "registeredAt" | "lastHeartbeatAt" | "draining" | "tokenId"
> & {
  /** The token that registers the runner; kept when omitted. */
  tokenId?: string;
};

/** Runner rows. Re-registering under the same name updates and reuses the row. */
export interface RunnersRepository {
  register(runner: RunnerRegistration): Promise<RunnerRecord>;
  getById(id: string): Promise<RunnerRecord | undefined>;
  getByName(name: string): Promise<RunnerRecord | undefined>;
  list(filter: { ids?: string[]; heartbeatSince?: Date }): Promise<RunnerRecord[]>;
  heartbeat(id: string, draining: boolean): Promise<void>;
  /**
   * Deletes the runner and revokes the tokens bound to it, in one transaction; returns whether it
   * existed and the runs it held then (they lose their runner: the caller re-queues them).
   */
  delete(id: string): Promise<{ deleted: boolean; heldRuns: { id: string; attempt: number; status: string }[] }>;
}

const COLUMNS = `id, name, namespace_selectors, labels, accept_selectors, reject_selectors, capacity, executors,
  version, token_id, registered_at, last_heartbeat_at, draining`;

export function createRunnersRepository(pool: pg.Pool): RunnersRepository {
  return {
    async register(r) {
      const { rows } = await pool.query(
        `INSERT INTO runners (name, namespace_selectors, labels, accept_selectors, reject_selectors, capacity,
                              executors, version, token_id, last_heartbeat_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())
         ON CONFLICT (name) DO UPDATE SET namespace_selectors = $2, labels = $3, accept_selectors = $4,
           reject_selectors = $5, capacity = $6, executors = $7, version = $8, token_id = COALESCE($9, runners.token_id),
           last_heartbeat_at = now(), draining = false
         RETURNING ${COLUMNS}`,
        [
          r.name,
          r.namespaceSelectors,
          JSON.stringify(r.labels),
          r.acceptSelectors,
          r.rejectSelectors,
          r.capacity,
          r.executors,
          r.version,
          r.tokenId ?? null,
        ],
      );
      return fromRow(rows[0]);
    },
    async getById(id) {
      const { rows } = await pool.query(`SELECT ${COLUMNS} FROM runners WHERE id = $1`, [id]);
      return rows[0] ? fromRow(rows[0]) : undefined;
    },
    async getByName(name) {
      const { rows } = await pool.query(`SELECT ${COLUMNS} FROM runners WHERE name = $1`, [name]);
      return rows[0] ? fromRow(rows[0]) : undefined;
    },
    async list(filter) {
      const { rows } = await pool.query(
        `SELECT ${COLUMNS} FROM runners
         WHERE ($1::uuid[] IS NULL OR id = ANY($1::uuid[])) AND ($2::timestamptz IS NULL OR last_heartbeat_at >= $2)
         ORDER BY name`,
        [filter.ids?.length ? filter.ids : null, filter.heartbeatSince ?? null],
      );
      return rows.map(fromRow);
    },
    async heartbeat(id, draining) {
      await pool.query("UPDATE runners SET last_heartbeat_at = now(), draining = $2 WHERE id = $1", [id, draining]);
    },
    delete: (id) =>
      withPgTransaction(pool, async (client) => {
        // The runner row lock keeps its claims out while it goes: claims lock it first.
        const found = await client.query("SELECT id FROM runners WHERE id = $1 FOR UPDATE", [id]);
        if (found.rowCount !== 1) return { deleted: false, heldRuns: [] };
        const held = await client.query(
          `SELECT id, attempt, status FROM runs
           WHERE runner_id = $1 AND status IN ('ASSIGNED', 'RUNNING', 'CANCELLING') ORDER BY id FOR UPDATE`,
          [id],
        );
        await client.query("UPDATE access_tokens SET revoked_at = now() WHERE runner_id = $1 AND revoked_at IS NULL", [
          id,
        ]);
        await client.query("DELETE FROM runners WHERE id = $1", [id]);
        return { deleted: true, heldRuns: held.rows.map((r) => ({ id: r.id, attempt: r.attempt, status: r.status })) };
      }),
  };
}

// biome-ignore lint/suspicious/noExplicitAny: pg rows are untyped
function fromRow(row: Record<string, any>): RunnerRecord {
  return {
    id: row.id,
    name: row.name,
    namespaceSelectors: row.namespace_selectors ?? [],
    labels: row.labels ?? {},
    acceptSelectors: row.accept_selectors ?? [],
    rejectSelectors: row.reject_selectors ?? [],
    capacity: row.capacity,
    executors: row.executors ?? [],
    version: row.version,
    tokenId: row.token_id ?? undefined,
    registeredAt: row.registered_at,
    lastHeartbeatAt: row.last_heartbeat_at ?? undefined,
    draining: row.draining,
  };
}
