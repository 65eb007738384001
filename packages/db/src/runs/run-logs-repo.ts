import type pg from "pg";
import { CHANNELS } from "../notify.js";
import { withPgTransaction } from "./pg-transaction.js";

export type LogStreamName = "stdout" | "stderr" | "system";

/** One stored batch of log lines; (runId, attempt, seq) identifies it. */
export interface LogChunkRecord {
  runId: string;
  attempt: number;
  seq: number;
  stream: LogStreamName;
  time: Date;
  data: Uint8Array;
}

/** Seq of the truncation marker: the largest int, so it sorts after everything of its attempt. */
export const TRUNCATION_MARKER_SEQ = 2_147_483_647;

/** Run logs: chunked, idempotent on (run, attempt, seq), capped per run with a visible marker. */
export interface RunLogsRepository {
  /**
   * Stores chunks of one run; resent chunks are ignored. Past `capBytes` for the run, output is cut
   * and one system chunk says so. Wakes log tails on every replica (on commit).
   */
  append(runId: string, chunks: LogChunkRecord[], capBytes: number): Promise<{ stored: number; truncated: boolean }>;
  /** Chunks after the cursor (attempt, seq) in order, across attempts. */
  after(runId: string, cursor: { attempt: number; seq: number }, limit: number): Promise<LogChunkRecord[]>;
  isTruncated(runId: string): Promise<boolean>;
}

export function createRunLogsRepository(pool: pg.Pool): RunLogsRepository {
  return {
    append: (runId, chunks, capBytes) =>
      withPgTransaction(pool, async (client) => {
        await client.query("INSERT INTO run_log_stats (run_id) VALUES ($1) ON CONFLICT DO NOTHING", [runId]);
        const { rows } = await client.query("SELECT bytes, truncated FROM run_log_stats WHERE run_id = $1 FOR UPDATE", [
          runId,
        ]);
        let bytes = Number(rows[0].bytes);
        let truncated: boolean = rows[0].truncated;
        let stored = 0;
        for (const chunk of chunks) {
          if (truncated) break;
          const room = capBytes - bytes;
          const data = chunk.data.length > room ? chunk.data.subarray(0, Math.max(0, room)) : chunk.data;
          const inserted = await insertChunk(client, { ...chunk, data });
          if (!inserted) continue;
          stored++;
          bytes += data.length;
          if (data.length < chunk.data.length) {
            truncated = true;
            await insertChunk(client, {
              ...chunk,
              seq: TRUNCATION_MARKER_SEQ,
              stream: "system",
              data: Buffer.from(`\ntstr: log truncated at ${capBytes} bytes; later output was dropped\n`),
            });
          }
        }
        await client.query("UPDATE run_log_stats SET bytes = $2, truncated = $3 WHERE run_id = $1", [
          runId,
          bytes,
          truncated,
        ]);
        if (stored > 0) await client.query("SELECT pg_notify($1, $2)", [CHANNELS.runProgress, runId]);
        return { stored, truncated };
      }),

    async after(runId, cursor, limit) {
      const { rows } = await pool.query(
        `SELECT run_id, attempt, seq, stream, ts, data FROM run_log_chunks
         WHERE run_id = $1 AND (attempt, seq) > ($2, $3)
         ORDER BY attempt, seq LIMIT $4`,
        [runId, cursor.attempt, cursor.seq, limit],
      );
      return rows.map((r) => ({
        runId: r.run_id,
        attempt: r.attempt,
        seq: r.seq,
        stream: r.stream,
        time: r.ts,
        data: r.data,
      }));
    },

    async isTruncated(runId) {
      const { rows } = await pool.query("SELECT truncated FROM run_log_stats WHERE run_id = $1", [runId]);
      return Boolean(rows[0]?.truncated);
    },
  };
}

async function insertChunk(client: pg.PoolClient, chunk: LogChunkRecord): Promise<boolean> {
  const { rowCount } = await client.query(
    `INSERT INTO run_log_chunks (run_id, attempt, seq, stream, ts, data) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (run_id, attempt, seq) DO NOTHING`,
    [chunk.runId, chunk.attempt, chunk.seq, chunk.stream, chunk.time, Buffer.from(chunk.data)],
  );
  return rowCount === 1;
}
