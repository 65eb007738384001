import type pg from "pg";

/**
 * The rows a location's factor budget counts (`$1` = the location): active runs with a factor,
 * tstr's own and external executions alike.
 */
export const LOCATION_LOAD_PREDICATE =
  "location = $1 AND resources_factor IS NOT NULL AND status IN ('ASSIGNED', 'RUNNING', 'CANCELLING')";

/**
 * Serialises every decision about one location's budget until the transaction ends: runner claims
 * of factored runs and registrations of external executions take this same lock, then read the
 * budget, so neither can over-admit the other (on any replica).
 */
export async function lockLocationBudget(client: pg.PoolClient, location: string): Promise<void> {
  await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [`tstr.location:${location}`]);
}
