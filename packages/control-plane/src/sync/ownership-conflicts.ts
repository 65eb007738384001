import type { DefinitionProblem } from "@tstr/definitions";
import { NotFoundError } from "../errors.js";
import type { SuiteCatalog } from "../suites/suite-catalog.js";
import type { TestCatalog } from "../tests/test-catalog.js";
import type { Desired, DesiredDefinitions } from "./desired-definitions.js";

type Named = { namespace: string; name: string };
type Owned = { source?: string };

/**
 * Definitions the documents want that already exist under another owner (created by hand, over
 * the API, or by another sync source). Each is a problem naming its document: taking it over
 * silently would let a folder rewrite — and later prune — something nobody put in it.
 */
export async function ownershipConflicts(
  catalogs: { catalog: TestCatalog; suites: SuiteCatalog },
  desired: DesiredDefinitions,
  source: string,
): Promise<DefinitionProblem[]> {
  const problems: DefinitionProblem[] = [];
  const check = async (kind: string, items: Desired<Named>[], find: (item: Named) => Promise<Owned>) => {
    for (const { file, index, spec } of items) {
      const existing = await findLive(() => find(spec));
      if (!existing || existing.source === source) continue;
      const owner = existing.source ? `it belongs to ${existing.source}` : "it was created outside any sync";
      const message = `${kind} ${spec.namespace}/${spec.name} exists and is not managed by ${source} (${owner}); delete it or remove it from the definitions`;
      problems.push({ file, index, field: "name", message });
    }
  };
  await check("test", desired.tests, (spec) => catalogs.catalog.find(spec.namespace, { name: spec.name }));
  await check("suite", desired.suites, (spec) => catalogs.suites.find(spec.namespace, { name: spec.name }));
  return problems;
}

async function findLive<R>(find: () => Promise<R>): Promise<R | undefined> {
  try {
    return await find();
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}
