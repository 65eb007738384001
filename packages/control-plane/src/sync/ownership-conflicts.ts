import type { DefinitionProblem } from "@tstr/definitions";
import { NotFoundError } from "../errors.js";
import type { ExecutorCatalog } from "../executors/executor-catalog.js";
import type { SuiteCatalog } from "../suites/suite-catalog.js";
import type { TestCatalog } from "../tests/test-catalog.js";
import type { Desired, DesiredDefinitions } from "./desired-definitions.js";
import { notManagedMessage, type OwnedDefinition } from "./source-ownership.js";

type Named = { namespace: string; name: string };

/**
 * Definitions the documents want that already exist under another owner (created by hand, over
 * the API, or by another sync source), and new executors whose name an executor of an
 * overlapping scope holds, each a problem naming its document, found before anything is written.
 * A definition created between this check and its write is refused by the catalog's apply itself
 * (NotManagedBySourceError, ExecutorNameTakenError).
 */
export async function ownershipConflicts(
  catalogs: { catalog: TestCatalog; suites: SuiteCatalog; executors: ExecutorCatalog },
  desired: DesiredDefinitions,
  source: string,
): Promise<DefinitionProblem[]> {
  const problems: DefinitionProblem[] = [];
  const check = async (
    kind: "test" | "suite",
    items: Desired<Named>[],
    find: (item: Named) => Promise<OwnedDefinition>,
  ) => {
    for (const { file, index, spec } of items) {
      const existing = await findLive(() => find(spec));
      if (!existing || existing.source === source) continue;
      problems.push({ file, index, field: "name", message: notManagedMessage(kind, existing, source) });
    }
  };
  for (const { file, index, spec } of desired.executors) {
    const existing = await catalogs.executors.get(spec.namespace, spec.name);
    const message = !existing
      ? await catalogs.executors.nameConflict(spec)
      : existing.source === source
        ? undefined
        : notManagedMessage("executor", existing, source);
    if (message !== undefined) problems.push({ file, index, field: "name", message });
  }
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
