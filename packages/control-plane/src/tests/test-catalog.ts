import type { Queryable, TestRecord, TestsRepository } from "@tstr/db";
import {
  checkTestAgainstExecutor,
  type ExecutorSpec,
  type FieldViolation,
  isUuid,
  nextFireTimes,
  type TestSpec,
  ValidationError,
  validateTestSpec,
} from "@tstr/domain";
import { NotFoundError } from "../errors.js";
import { assertManagedBy } from "../sync/source-ownership.js";

export type ApplyOutcome = "created" | "updated" | "unchanged";

/** Registration, update and lookup of test definitions, with validation before any write. */
export interface TestCatalog {
  register(spec: TestSpec, source?: string): Promise<TestRecord>;
  /** Creates or updates by name; with `source`, NotManagedBySourceError if another owner has it. */
  apply(
    spec: TestSpec,
    opts?: {
      dryRun?: boolean;
      source?: string;
      /** Executors applied in the same batch; a dry run has not written them yet. */
      pendingExecutors?: ExecutorSpec[];
    },
  ): Promise<{ record: TestRecord; outcome: ApplyOutcome }>;
  update(existing: TestRecord, next: TestSpec): Promise<TestRecord>;
  /** Every problem `spec` has, including with the executor it names (none: it can be applied). */
  check(spec: TestSpec, pendingExecutors?: ExecutorSpec[]): Promise<FieldViolation[]>;
  find(namespace: string, ref: { id?: string; name?: string }): Promise<TestRecord>;
  remove(record: TestRecord): Promise<void>;
  /** Live tests owned by `source` (e.g. a synced folder), in every namespace. */
  listBySource(source: string): Promise<TestRecord[]>;
  /** The next `count` fire times of a scheduled, unpaused test. */
  upcoming(record: TestRecord, count: number): Date[];
}

/**
 * The executor `namespace` sees under `name` (its own, else a global one), if any; `client` is
 * the caller's transaction, so a lookup while holding a connection never waits for a second one.
 */
export type ExecutorLookup = (namespace: string, name: string, client?: Queryable) => Promise<ExecutorSpec | undefined>;

export interface TestCatalogDeps {
  tests: TestsRepository;
  now: () => Date;
  /** Resolves the executor a test names; without it, executor names are not checked. */
  executors?: ExecutorLookup;
}

/** Creates the catalog over a tests repository, with `now` injected for next-run computation. */
export function createTestCatalog({ tests, now, executors }: TestCatalogDeps): TestCatalog {
  const check = async (spec: TestSpec, pending: ExecutorSpec[] = []) => {
    const violations = validateTestSpec(spec);
    if (violations.length === 0 && spec.executor && executors) {
      violations.push(...(await executorViolations(spec, spec.executor, pending, executors)));
    }
    return violations;
  };
  const validate = async (spec: TestSpec, pending: ExecutorSpec[] = []) => {
    const violations = await check(spec, pending);
    if (violations.length) throw new ValidationError(violations);
  };
  const nextRunAt = (spec: TestSpec) =>
    spec.schedule && !spec.schedule.paused
      ? nextFireTimes(spec.schedule.cron, spec.schedule.timezone, now(), 1)[0]
      : undefined;

  // The writes, for callers that validated already (apply validates once, with the batch's executors).
  const create = (spec: TestSpec, source?: string) => tests.create(spec, { nextRunAt: nextRunAt(spec), source });
  const rewrite = (existing: TestRecord, next: TestSpec) => {
    // Only a schedule change moves the next tick: editing labels or the image must not drop a
    // tick that is due but not fired yet. A schedule the loop had to drop gets a new next tick.
    const unscheduled = existing.nextRunAt === undefined && next.schedule !== undefined && !next.schedule.paused;
    const keep = sameSchedule(existing.spec.schedule, next.schedule) && !unscheduled;
    return tests.update(existing.id, next, keep ? {} : { nextRunAt: nextRunAt(next) ?? null });
  };

  const catalog: TestCatalog = {
    async register(spec, source) {
      await validate(spec);
      return create(spec, source);
    },
    async apply(spec, opts = {}) {
      await validate(spec, opts.pendingExecutors);
      const existing = await tests.getByName(spec.namespace, spec.name);
      if (!existing) {
        if (opts.dryRun) return { record: previewRecord(spec, now()), outcome: "created" };
        return { record: await create(spec, opts.source), outcome: "created" };
      }
      assertManagedBy("test", existing, opts.source);
      if (sameSpec(existing.spec, spec)) return { record: existing, outcome: "unchanged" };
      if (opts.dryRun) return { record: { ...existing, spec }, outcome: "updated" };
      return { record: await rewrite(existing, spec), outcome: "updated" };
    },
    async update(existing, next) {
      await validate(next);
      return rewrite(existing, next);
    },
    async find(namespace, ref) {
      if (!ref.id && !ref.name) throw new ValidationError([{ path: "id", message: "an id or a name is required" }]);
      if (ref.id && !isUuid(ref.id)) throw new ValidationError([{ path: "id", message: `"${ref.id}" is not a UUID` }]);
      const record = ref.id
        ? await tests.getById(ref.id)
        : ref.name
          ? await tests.getByName(namespace, ref.name)
          : undefined;
      if (!record || record.archivedAt || record.spec.namespace !== namespace) {
        throw new NotFoundError(
          `test ${ref.id ? `id "${ref.id}"` : `"${ref.name}"`} not found in namespace "${namespace}"`,
        );
      }
      return record;
    },
    async remove(record) {
      await tests.archive(record.id, now());
    },
    check,
    listBySource: (source) => tests.listBySource(source),
    upcoming(record, count) {
      const schedule = record.spec.schedule;
      if (!schedule || schedule.paused) return [];
      return nextFireTimes(schedule.cron, schedule.timezone, now(), count);
    },
  };
  return catalog;
}

/** An unknown executor, or files and image the executor does not accept. */
async function executorViolations(
  spec: TestSpec,
  name: string,
  pending: ExecutorSpec[],
  lookup: ExecutorLookup,
): Promise<FieldViolation[]> {
  const executor =
    pending.find((e) => e.name === name && (e.namespace === undefined || e.namespace === spec.namespace)) ??
    (await lookup(spec.namespace, name));
  if (!executor) {
    return [
      {
        path: "executor",
        message: `executor "${name}" not found in namespace "${spec.namespace}" or among the global executors (\`tstrctl executor list\` shows them)`,
      },
    ];
  }
  return checkTestAgainstExecutor(spec.runConfig, executor);
}

function sameSchedule(a: TestSpec["schedule"], b: TestSpec["schedule"]): boolean {
  return a?.cron === b?.cron && (a?.timezone || "UTC") === (b?.timezone || "UTC") && !!a?.paused === !!b?.paused;
}

function sameSpec(a: TestSpec, b: TestSpec): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v)
            .filter(([, x]) => x !== undefined)
            .sort(([x], [y]) => (x < y ? -1 : 1)),
        )
      : v,
  );
}

function previewRecord(spec: TestSpec, at: Date): TestRecord {
  return { id: "", spec, runConfigVersion: 1, registeredAt: at, updatedAt: at };
}
