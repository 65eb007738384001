import { isUuid, ValidationError } from "@tstr/domain";
import type { SuiteCatalog } from "./suite-catalog.js";

/**
 * The test ids a QueryTests `ids` filter should hold so that only members of any of `suiteIds`
 * (suites of `namespaces`) match, narrowed to `requestedIds` when the caller also gave ids.
 * Suites that do not exist there add no members: like `ids`, this is a filter, not a lookup.
 */
export async function testIdsInSuites(
  catalog: SuiteCatalog,
  namespaces: string[],
  suiteIds: string[],
  requestedIds: string[],
): Promise<string[]> {
  const bad = suiteIds.findIndex((id) => !isUuid(id));
  if (bad >= 0) {
    throw new ValidationError([{ path: `test_suite_ids[${bad}]`, message: `"${suiteIds[bad]}" is not a UUID` }]);
  }
  const suites = await catalog.list(namespaces, { ids: suiteIds });
  const members = new Set((await Promise.all(suites.map((s) => catalog.members(s)))).flat().map((t) => t.id));
  return requestedIds.length ? requestedIds.filter((id) => members.has(id.toLowerCase())) : [...members];
}
