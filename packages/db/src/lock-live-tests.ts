import { isUuid } from "@tstr/domain";
import type { Queryable } from "./runs/pg-transaction.js";

/**
 * Locks the rows of the tests among `ids` that are still live, until the caller's transaction
 * ends, and returns their ids; archived, deleted and malformed ids are left out. Rows are locked
 * in id order, so callers locking overlapping sets (concurrent suite runs) cannot deadlock.
 */
export async function lockLiveTestIds(client: Queryable, ids: readonly string[]): Promise<Set<string>> {
  const valid = ids.filter(isUuid);
  if (valid.length === 0) return new Set();
  const { rows } = await client.query<{ id: string }>(
    "SELECT id FROM tests WHERE id = ANY($1::uuid[]) AND archived_at IS NULL ORDER BY id FOR UPDATE",
    [valid],
  );
  return new Set(rows.map((r) => r.id));
}
