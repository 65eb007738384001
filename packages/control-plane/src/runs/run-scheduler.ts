import { randomUUID } from "node:crypto";
import type { NewRun, RunRecord, RunsRepository, RunTrigger, TestRecord } from "@tstr/db";
import {
  DEFAULT_TIMEOUT_MS,
  expandMatrix,
  type Labels,
  type Matrix,
  ValidationError,
  validateLabels,
} from "@tstr/domain";

/** Options of one ScheduleRun call. */
export interface ScheduleOptions {
  /** Laid over the test's labels for these runs. */
  labels?: Labels;
  /** Replaces the test's matrix for these runs. */
  matrix?: Matrix;
  trigger?: RunTrigger;
}

/**
 * Turns a test into queued runs: one, or one per matrix combination (sharing a matrix id), each
 * with a snapshot of the test's run config and labels as they are now.
 */
export function createRunScheduler(deps: { runs: RunsRepository }) {
  return {
    async schedule(test: TestRecord, opts: ScheduleOptions = {}): Promise<{ runs: RunRecord[]; matrixId?: string }> {
      const overrides = opts.labels ?? {};
      const problems = validateLabels(overrides, "labels");
      if (problems.length) throw new ValidationError(problems);
      const base = { ...test.spec.labels, ...overrides };
      const matrix = opts.matrix ?? test.spec.matrix;
      const combinations = matrix ? expandMatrix(matrix, base) : [base];
      const matrixId = matrix ? randomUUID() : undefined;
      const runConfig = { ...test.spec.runConfig, timeoutMs: test.spec.runConfig.timeoutMs ?? DEFAULT_TIMEOUT_MS };
      const newRuns: NewRun[] = combinations.map((labels) => ({
        namespace: test.spec.namespace,
        testId: test.id,
        testName: test.spec.name,
        labels,
        runConfig,
        executor: test.spec.executor,
        matrixId,
        trigger: opts.trigger ?? "manual",
        retry: test.spec.retry,
      }));
      return { runs: await deps.runs.insertQueued(newRuns), matrixId };
    },
  };
}

export type RunScheduler = ReturnType<typeof createRunScheduler>;
