import type { Client } from "@connectrpc/connect";
import type { DataService, Run } from "@tstr/proto";
import { sleep } from "./sleep.js";

/**
 * The shards of a distributed k6 run finish with provisional results: the server merges their
 * metrics when the last one ends and may turn a PASS into FAIL. Waits (at most `timeoutMs`) until
 * every shard group among `runs` has its merged report, then returns the runs as they are now.
 * Runs that are not shards are returned as given.
 */
export async function awaitMergedVerdicts(
  data: Client<typeof DataService>,
  runs: readonly Run[],
  signal: AbortSignal,
  timeoutMs = 30_000,
): Promise<Run[]> {
  const groups = new Map<string, Run>();
  for (const run of runs) if (run.shardCount > 1 && run.shardGroupId) groups.set(run.shardGroupId, run);
  if (groups.size === 0) return [...runs];
  const deadline = Date.now() + timeoutMs;
  for (const run of groups.values()) {
    while (Date.now() < deadline && !signal.aborted) {
      const merged = await data
        .getK6Report({ runId: run.id, namespace: run.namespace })
        .then((r) => (r.report?.shards ?? 0) > 1)
        .catch(() => false);
      if (merged) break;
      await sleep(250, signal);
    }
  }
  const fresh = await data.queryRuns({ ids: runs.map((r) => r.id), pageSize: runs.length });
  const byId = new Map(fresh.runs.map((r) => [r.id, r]));
  return runs.map((run) => byId.get(run.id) ?? run);
}
