import type { Client } from "@connectrpc/connect";
import type { DataService } from "@tstr/proto";

/**
 * Names of the given runners by id, so views can show names rather than UUIDs. Best effort: when
 * the lookup fails, views fall back to the ids rather than failing the command.
 */
export async function lookUpRunnerNames(
  data: Client<typeof DataService>,
  ids: readonly string[],
): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter(Boolean))];
  if (wanted.length === 0) return new Map();
  try {
    const { runners } = await data.queryRunners({ ids: wanted });
    return new Map(runners.map((runner) => [runner.id, runner.name]));
  } catch {
    return new Map();
  }
}
