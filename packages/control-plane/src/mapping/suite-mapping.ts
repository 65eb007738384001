import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { SuiteRecord, SuiteRunRecord } from "@tstr/db";
import type { SuiteRunStatus as DomainSuiteRunStatus, RunGroupSummary, SuiteSpec } from "@tstr/domain";
import { type Suite, type SuiteRun, SuiteRunSchema, SuiteRunStatus, SuiteSchema } from "@tstr/proto";

const STATUS_TO_PROTO: Record<DomainSuiteRunStatus, SuiteRunStatus> = {
  RUNNING: SuiteRunStatus.RUNNING,
  PASSED: SuiteRunStatus.PASSED,
  FAILED: SuiteRunStatus.FAILED,
};

/**
 * Builds the domain spec of a suite from its wire form, in `namespace` (the caller's resolved
 * namespace; the message's own namespace field is only a request for it). No validation here:
 * `validateSuiteSpec` reports problems with these same field paths. A blank selector is none.
 */
export function suiteFromProto(suite: Suite, namespace: string): SuiteSpec {
  return {
    namespace,
    name: suite.name,
    ...(suite.description ? { description: suite.description } : {}),
    labels: { ...suite.labels },
    testIds: [...suite.testIds],
    testNames: [...suite.testNames],
    ...(suite.testSelector.trim() ? { selector: suite.testSelector } : {}),
  };
}

/** The wire form of a stored suite. */
export function suiteToProto(record: SuiteRecord): Suite {
  const { spec } = record;
  return create(SuiteSchema, {
    id: record.id,
    namespace: spec.namespace,
    name: spec.name,
    description: spec.description ?? "",
    labels: spec.labels,
    testIds: spec.testIds,
    testNames: spec.testNames,
    testSelector: spec.selector ?? "",
    source: record.source ?? "",
    createdAt: timestampFromDate(record.createdAt),
    updatedAt: timestampFromDate(record.updatedAt),
  });
}

/** A suite run as read: the stored row, the summary of its runs, and their ids (oldest first). */
export interface SuiteRunView {
  record: SuiteRunRecord;
  summary: RunGroupSummary;
  runIds: string[];
}

/** The wire form of a suite run; status and counts come from the summary of its runs. */
export function suiteRunToProto({ record, summary, runIds }: SuiteRunView): SuiteRun {
  return create(SuiteRunSchema, {
    id: record.id,
    suiteId: record.suiteId,
    namespace: record.namespace,
    status: STATUS_TO_PROTO[summary.status],
    runIds,
    total: summary.total,
    passed: summary.passed,
    failed: summary.failed,
    pending: summary.pending,
    createdAt: timestampFromDate(record.createdAt),
    ...(record.finishedAt ? { finishedAt: timestampFromDate(record.finishedAt) } : {}),
  });
}
