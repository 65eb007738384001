import type { SuiteRecord, SuitesRepository, TestRecord, TestsRepository } from "@tstr/db";
import {
  isUuid,
  parseSelector,
  type SuiteSpec,
  selectorMatches,
  ValidationError,
  validateSuiteSpec,
} from "@tstr/domain";
import { NotFoundError } from "../errors.js";
import { assertManagedBy } from "../sync/source-ownership.js";
import type { ApplyOutcome } from "../tests/test-catalog.js";

/** Declaring, finding and resolving suites, with validation before any write. */
export interface SuiteCatalog {
  /**
   * Creates the suite or updates the live one with the same namespace and name. With `source` (a
   * sync), NotManagedBySourceError if that suite exists under another owner or none.
   */
  apply(
    spec: SuiteSpec,
    opts?: { dryRun?: boolean; source?: string },
  ): Promise<{ record: SuiteRecord; outcome: ApplyOutcome }>;
  /** The live suite by id or name in `namespace`; NotFoundError naming it otherwise. */
  find(namespace: string, ref: { id?: string; name?: string }): Promise<SuiteRecord>;
  /** Live suites of these namespaces (optionally only these ids), by namespace and name. */
  list(namespaces: string[], filter?: { ids?: string[] }): Promise<SuiteRecord[]>;
  /** Live suites owned by `source`, in every namespace. */
  listBySource(source: string): Promise<SuiteRecord[]>;
  /** Soft-deletes the suite; its past suite runs stay readable. */
  remove(record: SuiteRecord): Promise<void>;
  /** Resolved live member tests, deduplicated, in a stable order (by name, then id). */
  members(record: SuiteRecord): Promise<TestRecord[]>;
}

export interface SuiteCatalogDeps {
  suites: SuitesRepository;
  tests: TestsRepository;
  now: () => Date;
}

/** Creates the catalog over the suites and tests repositories. */
export function createSuiteCatalog({ suites, tests, now }: SuiteCatalogDeps): SuiteCatalog {
  return {
    async apply(input, opts = {}) {
      const violations = validateSuiteSpec(input);
      if (violations.length) throw new ValidationError(violations);
      const spec = normalized(input);
      const existing = await suites.getByName(spec.namespace, spec.name);
      if (!existing) {
        if (opts.dryRun) return { record: { id: "", spec, createdAt: now(), updatedAt: now() }, outcome: "created" };
        return { record: await suites.create(spec, { source: opts.source }), outcome: "created" };
      }
      assertManagedBy("suite", existing, opts.source);
      if (sameSuite(existing.spec, spec)) return { record: existing, outcome: "unchanged" };
      if (opts.dryRun) return { record: { ...existing, spec }, outcome: "updated" };
      return { record: await suites.update(existing.id, spec), outcome: "updated" };
    },

    async find(namespace, ref) {
      if (!ref.id && !ref.name) throw new ValidationError([{ path: "id", message: "an id or a name is required" }]);
      if (ref.id && !isUuid(ref.id)) throw new ValidationError([{ path: "id", message: `"${ref.id}" is not a UUID` }]);
      const record = ref.id ? await suites.getById(ref.id) : await suites.getByName(namespace, ref.name ?? "");
      if (!record || record.archivedAt || record.spec.namespace !== namespace) {
        const what = ref.id ? `id "${ref.id}"` : `"${ref.name}"`;
        throw new NotFoundError(`suite ${what} not found in namespace "${namespace}"`);
      }
      return record;
    },

    list: (namespaces, filter = {}) => suites.list({ namespaces, ids: filter.ids }),

    listBySource: (source) => suites.listBySource(source),

    async remove(record) {
      await suites.archive(record.id, now());
    },

    async members(record) {
      const byId = new Map<string, TestRecord>();
      for (const test of await suites.listedTests(record.spec)) byId.set(test.id, test);
      if (record.spec.selector?.trim()) {
        const selector = parseSelector(record.spec.selector);
        for await (const test of liveTests(tests, record.spec.namespace)) {
          if (selectorMatches(selector, test.spec.labels)) byId.set(test.id, test);
        }
      }
      return [...byId.values()].sort((a, b) =>
        a.spec.name === b.spec.name ? compare(a.id, b.id) : compare(a.spec.name, b.spec.name),
      );
    },
  };
}

/** Every live test of a namespace, page by page (selectors are matched in the domain, not SQL). */
async function* liveTests(tests: TestsRepository, namespace: string): AsyncGenerator<TestRecord> {
  let pageToken: string | undefined;
  do {
    const page = await tests.query({ namespaces: [namespace], pageSize: 1000, pageToken });
    yield* page.tests;
    pageToken = page.nextPageToken;
  } while (pageToken);
}

/** The stored form: ids as PostgreSQL prints uuids, so applying the same file is "unchanged". */
function normalized(spec: SuiteSpec): SuiteSpec {
  return { ...spec, testIds: spec.testIds.map((id) => id.toLowerCase()) };
}

function sameSuite(a: SuiteSpec, b: SuiteSpec): boolean {
  const sameList = (x: readonly string[], y: readonly string[]) =>
    x.length === y.length && x.every((v, i) => v === y[i]);
  const labels = (l: Record<string, string>) => JSON.stringify(Object.entries(l).sort(([x], [y]) => compare(x, y)));
  return (
    a.namespace === b.namespace &&
    a.name === b.name &&
    (a.description ?? "") === (b.description ?? "") &&
    labels(a.labels) === labels(b.labels) &&
    sameList(a.testIds, b.testIds) &&
    sameList(a.testNames, b.testNames) &&
    (a.selector ?? "") === (b.selector ?? "")
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
