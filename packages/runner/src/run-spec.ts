import { durationMs } from "@bufbuild/protobuf/wkt";
import { runEnvironment } from "@tstr/domain";
import type { ExecutionSpec } from "@tstr/executor";
import type { Assignment } from "@tstr/proto";

/** Where results go when the test does not say; TSTR_RESULTS_DIR points here. */
export const DEFAULT_RESULTS_PATH = "/tstr/results";
/** Time between SIGTERM and SIGKILL when the test does not set a grace period. */
export const DEFAULT_GRACE_PERIOD_MS = 10_000;

/**
 * Translates an assignment into what the executor port needs. Pure, so the mapping (command vs
 * args, environment, labels) is tested without starting anything.
 */
export function buildExecutionSpec(assignment: Assignment): ExecutionSpec {
  const run = assignment.run;
  if (!run) throw new Error("assignment without a run");
  const config = run.testRunConfig;
  const resultsPath = config?.resultsPath || DEFAULT_RESULTS_PATH;
  const command = config?.command ?? "";
  const args = config?.args ?? [];
  return {
    runId: run.id,
    attempt: assignment.attempt,
    image: config?.containerImage ?? "",
    command: command ? [command, ...args] : [...args],
    entrypointOverride: command !== "",
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
