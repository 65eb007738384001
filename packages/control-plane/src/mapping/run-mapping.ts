import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { LogChunkRecord, RunAttemptRecord, RunnerRecord, RunRecord, RunTrigger, TestCaseRecord } from "@tstr/db";
import type { RunResult, RunStatus } from "@tstr/domain";
import {
  type LogChunk,
  LogChunkSchema,
  LogStream,
  RunStatus as ProtoRunStatus,
  RunTrigger as ProtoRunTrigger,
  type Run,
  Run_Result,
  type Runner,
  RunnerSchema,
  RunSchema,
  type TestCase,
  TestCase_Status,
  TestCaseSchema,
} from "@tstr/proto";
import { executionMetadataToProto } from "../executions/execution-mapping.js";
import { runConfigToProto } from "./run-config-mapping.js";

export const RESULT_TO_PROTO: Record<RunResult, Run_Result> = {
  PASS: Run_Result.PASS,
  FAIL: Run_Result.FAIL,
  ERROR: Run_Result.ERROR,
  CANCELLED: Run_Result.CANCELLED,
  TIMED_OUT: Run_Result.TIMED_OUT,
};
export const RESULT_FROM_PROTO: Partial<Record<Run_Result, RunResult>> = Object.fromEntries(
  Object.entries(RESULT_TO_PROTO).map(([k, v]) => [v, k as RunResult]),
);
export const STATUS_TO_PROTO: Record<RunStatus, ProtoRunStatus> = {
  QUEUED: ProtoRunStatus.QUEUED,
  ASSIGNED: ProtoRunStatus.ASSIGNED,
  RUNNING: ProtoRunStatus.RUNNING,
  CANCELLING: ProtoRunStatus.CANCELLING,
  FINISHED: ProtoRunStatus.FINISHED,
};
export const STATUS_FROM_PROTO: Partial<Record<ProtoRunStatus, RunStatus>> = Object.fromEntries(
  Object.entries(STATUS_TO_PROTO).map(([k, v]) => [v, k as RunStatus]),
);
const TRIGGER_TO_PROTO: Record<RunTrigger, ProtoRunTrigger> = {
  manual: ProtoRunTrigger.MANUAL,
  cron: ProtoRunTrigger.CRON,
  matrix: ProtoRunTrigger.MANUAL,
  suite: ProtoRunTrigger.SUITE,
  retry: ProtoRunTrigger.RETRY,
  external: ProtoRunTrigger.EXTERNAL,
};
const STREAM_TO_PROTO = { stdout: LogStream.STDOUT, stderr: LogStream.STDERR, system: LogStream.SYSTEM } as const;
export const STREAM_FROM_PROTO: Partial<Record<LogStream, LogChunkRecord["stream"]>> = {
  [LogStream.STDOUT]: "stdout",
  [LogStream.STDERR]: "stderr",
  [LogStream.SYSTEM]: "system",
};

const ts = (date: Date | undefined) => (date ? timestampFromDate(date) : undefined);

/** The wire form of a run (attempts when given). */
export function runToProto(run: RunRecord, attempts: RunAttemptRecord[] = []): Run {
  return create(RunSchema, {
    id: run.id,
    testId: run.testId ?? "",
    testRunConfig: runConfigToProto(run.runConfig),
    testMatrixId: run.matrixId ?? "",
    labels: run.labels,
    runnerId: run.runnerId ?? "",
    result: run.result ? RESULT_TO_PROTO[run.result] : Run_Result.UNKNOWN,
    resultData: run.resultData,
    scheduledAt: ts(run.scheduledAt),
    startedAt: ts(run.startedAt),
    finishedAt: ts(run.finishedAt),
    namespace: run.namespace,
    testName: run.testName,
    status: STATUS_TO_PROTO[run.status],
    resultReason: run.resultReason ?? "",
    attempt: run.attempt,
    maxAttempts: run.maxAttempts,
    exitCode: run.exitCode ?? 0,
    leaseExpiresAt: ts(run.leaseExpiresAt),
    deadlineAt: ts(run.deadlineAt),
    cancelRequestedAt: ts(run.cancelRequestedAt),
    trigger: TRIGGER_TO_PROTO[run.trigger] ?? ProtoRunTrigger.UNSPECIFIED,
    suiteRunId: run.suiteRunId ?? "",
    assignedAt: ts(run.assignedAt),
    executor: run.executor ?? "",
    cronFireAt: ts(run.cronFireAt),
    location: run.location ?? "",
    resourcesFactor: run.resourcesFactor ?? 0,
    shardGroupId: run.shardGroupId ?? "",
    shardIndex: run.shardIndex ?? 0,
    shardCount: run.shardCount,
    external: run.external,
    runNumber: BigInt(run.runNumber ?? 0),
    ...(run.execution ? { execution: executionMetadataToProto(run.execution) } : {}),
    attempts: attempts.map((a) => ({
      attempt: a.attempt,
      runnerId: a.runnerId ?? "",
      assignedAt: ts(a.assignedAt),
      startedAt: ts(a.startedAt),
      finishedAt: ts(a.finishedAt),
      result: a.result ? RESULT_TO_PROTO[a.result] : Run_Result.UNKNOWN,
      reason: a.reason ?? "",
    })),
  });
}

export function logChunkToProto(chunk: LogChunkRecord): LogChunk {
  return create(LogChunkSchema, {
    runId: chunk.runId,
    attempt: chunk.attempt,
    seq: BigInt(chunk.seq),
    stream: STREAM_TO_PROTO[chunk.stream],
    time: timestampFromDate(chunk.time),
    data: chunk.data,
  });
}

const CASE_STATUS = {
  passed: TestCase_Status.PASSED,
  failed: TestCase_Status.FAILED,
  error: TestCase_Status.ERROR,
  skipped: TestCase_Status.SKIPPED,
} as const;
export const CASE_STATUS_FROM_PROTO: Partial<Record<TestCase_Status, TestCaseRecord["status"]>> = Object.fromEntries(
  Object.entries(CASE_STATUS).map(([k, v]) => [v, k as TestCaseRecord["status"]]),
);

export function testCaseToProto(c: TestCaseRecord): TestCase {
  return create(TestCaseSchema, {
    suite: c.suite,
    className: c.className,
    name: c.name,
    duration: { seconds: BigInt(Math.floor(c.durationMs / 1000)), nanos: Math.round((c.durationMs % 1000) * 1e6) },
    status: CASE_STATUS[c.status],
    message: c.message ?? "",
    details: c.details ?? "",
    systemOut: c.systemOut ?? "",
    attempt: c.attempt,
  });
}

/** The wire form of a runner; `online` when it heartbeated within `onlineWithinMs`. */
export function runnerToProto(
  runner: RunnerRecord,
  now: Date,
  onlineWithinMs: number,
  activeRunIds: string[] = [],
): Runner {
  return create(RunnerSchema, {
    id: runner.id,
    name: runner.name,
    namespaceSelectors: runner.namespaceSelectors,
    registeredAt: timestampFromDate(runner.registeredAt),
    lastHeartbeatAt: ts(runner.lastHeartbeatAt),
    labels: runner.labels,
    acceptSelectors: runner.acceptSelectors,
    rejectSelectors: runner.rejectSelectors,
    capacity: runner.capacity,
    executors: runner.executors,
    version: runner.version,
    draining: runner.draining,
    online: Boolean(runner.lastHeartbeatAt && now.getTime() - runner.lastHeartbeatAt.getTime() <= onlineWithinMs),
    activeRunIds,
  });
}
