import { create } from "@bufbuild/protobuf";
import { durationFromMs, durationMs, timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { TestRecord } from "@tstr/db";
import type { ConcurrencyPolicy as DomainConcurrency, Matrix, RetryOn, TestSpec } from "@tstr/domain";
import { DEFAULT_RETRY } from "@tstr/domain";
import {
  ConcurrencyPolicy,
  type RegisterTestRequest,
  RetryPolicy_On,
  type Test,
  type Test_Matrix,
  TestSchema,
} from "@tstr/proto";
import { runConfigFromProto, runConfigToProto } from "./run-config-mapping.js";

const CONCURRENCY_TO_DOMAIN: Record<ConcurrencyPolicy, DomainConcurrency> = {
  [ConcurrencyPolicy.UNSPECIFIED]: "allow",
  [ConcurrencyPolicy.ALLOW]: "allow",
  [ConcurrencyPolicy.FORBID]: "forbid",
  [ConcurrencyPolicy.REPLACE]: "replace",
};
const CONCURRENCY_TO_PROTO: Record<DomainConcurrency, ConcurrencyPolicy> = {
  allow: ConcurrencyPolicy.ALLOW,
  forbid: ConcurrencyPolicy.FORBID,
  replace: ConcurrencyPolicy.REPLACE,
};
const RETRY_ON_TO_DOMAIN: Partial<Record<RetryPolicy_On, RetryOn>> = {
  [RetryPolicy_On.RUNNER_LOST]: "RUNNER_LOST",
  [RetryPolicy_On.ERROR]: "ERROR",
  [RetryPolicy_On.FAIL]: "FAIL",
};
const RETRY_ON_TO_PROTO: Record<RetryOn, RetryPolicy_On> = {
  RUNNER_LOST: RetryPolicy_On.RUNNER_LOST,
  ERROR: RetryPolicy_On.ERROR,
  FAIL: RetryPolicy_On.FAIL,
};

/** The fields of a test definition as RegisterTest, ApplyTest and UpdateTest carry them. */
export type TestFields = Pick<
  RegisterTestRequest,
  | "name"
  | "labels"
  | "runConfig"
  | "cronSchedule"
  | "matrix"
  | "description"
  | "timezone"
  | "schedulePaused"
  | "executor"
  | "retry"
  | "concurrencyPolicy"
  | "resources"
  | "shards"
>;

/** Builds the domain spec of a test from request fields (validation happens in the domain). */
export function testSpecFromFields(fields: TestFields, namespace: string): TestSpec {
  const cron = fields.cronSchedule.trim();
  return {
    namespace,
    name: fields.name,
    ...(fields.description ? { description: fields.description } : {}),
    labels: { ...fields.labels },
    runConfig: runConfigFromProto(fields.runConfig),
    ...(cron
      ? {
          schedule: {
            cron,
            timezone: fields.timezone || "UTC",
            paused: fields.schedulePaused,
          },
        }
      : {}),
    ...(fields.matrix ? { matrix: matrixFromProto(fields.matrix) } : {}),
    ...(fields.executor ? { executor: fields.executor } : {}),
    retry: fields.retry
      ? {
          maxAttempts: fields.retry.maxAttempts || DEFAULT_RETRY.maxAttempts,
          on: fields.retry.on.flatMap((on) => RETRY_ON_TO_DOMAIN[on] ?? []),
          backoffMs: fields.retry.backoff ? durationMs(fields.retry.backoff) : 0,
        }
      : { ...DEFAULT_RETRY, on: [...DEFAULT_RETRY.on] },
    concurrencyPolicy: CONCURRENCY_TO_DOMAIN[fields.concurrencyPolicy] ?? "allow",
    resources: {
      ...(fields.resources?.factor ? { factor: fields.resources.factor } : {}),
      ...(fields.resources?.cpu ? { cpu: fields.resources.cpu } : {}),
      ...(fields.resources?.memory ? { memory: fields.resources.memory } : {}),
    },
    ...(fields.shards > 1 ? { shards: fields.shards } : {}),
  };
}

export function matrixFromProto(matrix: Test_Matrix): Matrix {
  return {
    labels: Object.fromEntries(Object.entries(matrix.labels).map(([k, v]) => [k, [...v.values]])),
    include: matrix.include.map((set) => ({ ...set.labels })),
    exclude: matrix.exclude.map((set) => ({ ...set.labels })),
  };
}

/** The wire form of a stored test. */
export function testToProto(record: TestRecord): Test {
  const { spec } = record;
  return create(TestSchema, {
    id: record.id,
    namespace: spec.namespace,
    name: spec.name,
    description: spec.description ?? "",
    labels: spec.labels,
    runConfig: runConfigToProto(spec.runConfig),
    cronSchedule: spec.schedule?.cron ?? "",
    timezone: spec.schedule?.timezone ?? "",
    schedulePaused: spec.schedule?.paused ?? false,
    ...(record.nextRunAt ? { nextRunAt: timestampFromDate(record.nextRunAt) } : {}),
    ...(spec.matrix
      ? {
          matrix: {
            labels: Object.fromEntries(Object.entries(spec.matrix.labels).map(([k, values]) => [k, { values }])),
            include: spec.matrix.include.map((labels) => ({ labels })),
            exclude: spec.matrix.exclude.map((labels) => ({ labels })),
          },
        }
      : {}),
    executor: spec.executor ?? "",
    retry: {
      maxAttempts: spec.retry.maxAttempts,
      on: spec.retry.on.map((on) => RETRY_ON_TO_PROTO[on]),
      ...(spec.retry.backoffMs ? { backoff: durationFromMs(spec.retry.backoffMs) } : {}),
    },
    concurrencyPolicy: CONCURRENCY_TO_PROTO[spec.concurrencyPolicy],
    resources: {
      factor: spec.resources.factor ?? 0,
      cpu: spec.resources.cpu ?? "",
      memory: spec.resources.memory ?? "",
    },
    shards: spec.shards ?? 1,
    runConfigVersion: record.runConfigVersion,
    source: record.source ?? "",
    registeredAt: timestampFromDate(record.registeredAt),
    updatedAt: timestampFromDate(record.updatedAt),
  });
}
