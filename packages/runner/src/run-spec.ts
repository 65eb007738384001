import { durationMs } from "@bufbuild/protobuf/wkt";
import { runEnvironment } from "@tstr/domain";
import type { ExecutionSpec } from "@tstr/executor";
import type { Assignment } from "@tstr/proto";
import { K6_EXECUTOR, k6CommandLine } from "./k6/k6-command-line.js";

/** Where results go when the test does not say; TSTR_RESULTS_DIR points here. */
export const DEFAULT_RESULTS_PATH = "/tstr/results";
/** Time between SIGTERM and SIGKILL when the test does not set a grace period. */
export const DEFAULT_GRACE_PERIOD_MS = 10_000;

/**
 * Translates an assignment into what the executor port needs. Pure, so the mapping (command vs
 * args, environment, labels, the k6 preset) is tested without starting anything. A k6 run whose
 * configuration k6 could not run throws K6ConfigError.
 */
export function buildExecutionSpec(assignment: Assignment): ExecutionSpec {
  const run = assignment.run;
  if (!run) throw new Error("assignment without a run");
  const config = run.testRunConfig;
  const resultsPath = config?.resultsPath || DEFAULT_RESULTS_PATH;
  const command = config?.command ?? "";
  const args = config?.args ?? [];
  const k6 =
    run.executor === K6_EXECUTOR
      ? k6CommandLine({
          image: config?.containerImage ?? "",
          command,
          args,
          files: config?.files ?? [],
          executorOptions: config?.executorOptions ?? {},
          shard: { index: run.shardIndex, count: run.shardCount },
        })
      : undefined;
  return {
    runId: run.id,
    attempt: assignment.attempt,
    image: k6?.image ?? config?.containerImage ?? "",
    command: k6?.command ?? (command ? [command, ...args] : [...args]),
    entrypointOverride: k6 !== undefined || command !== "",
    env: runEnvironment({
      runId: run.id,
      testName: run.testName,
      attempt: assignment.attempt,
      labels: run.labels,
      resultsDir: resultsPath,
      namespace: run.namespace,
      userEnv: config?.env ?? {},
    }),
    workingDir: config?.workingDir || undefined,
    files: (config?.files ?? []).map((file) => ({ path: file.path, content: file.content })),
    labels: { ...run.labels, "run-id": run.id, test: run.testName, namespace: run.namespace },
    resultsPath,
    timeoutMs: runTimeoutMs(assignment),
    gracePeriodMs: gracePeriodMs(assignment),
    ...(config?.kubernetes ? { kubernetes: config.kubernetes } : {}),
  };
}

/** The run's grace period between SIGTERM and SIGKILL. */
export function gracePeriodMs(assignment: Assignment): number {
  const grace = assignment.run?.testRunConfig?.gracePeriod;
  return grace ? durationMs(grace) : DEFAULT_GRACE_PERIOD_MS;
}

/** The test's own timeout, if it set one. */
export function runTimeoutMs(assignment: Assignment): number | undefined {
  const timeout = assignment.run?.testRunConfig?.timeout;
  const ms = timeout ? durationMs(timeout) : 0;
  return ms > 0 ? ms : undefined;
}
