import { validateCron, validateTimezone } from "./cron.js";
import { formatDuration } from "./duration.js";
import { type Labels, validateLabels } from "./labels.js";
import { type Matrix, matrixSize, validateMatrix } from "./matrix.js";
import { validateNamespace } from "./namespace.js";
import { RETRY_CAUSES, type RetryPolicy } from "./retry-policy.js";
import { type RunConfig, validateRunConfig } from "./run-config.js";
import { DEFAULT_LIMITS, type TestSpecLimits } from "./test-spec-limits.js";
import { type FieldViolation, listItemPath } from "./validation-error.js";

/** What happens when a run is due while another run of the same test is active. */
export type ConcurrencyPolicy = "allow" | "forbid" | "replace";

/** Every concurrency policy. */
export const CONCURRENCY_POLICIES: readonly ConcurrencyPolicy[] = ["allow", "forbid", "replace"];

/** A cron schedule in an IANA time zone (empty means UTC). */
export interface Schedule {
  cron: string;
  timezone: string;
  paused: boolean;
}

/** A test definition as the domain sees it, independent of proto and database shapes. */
export interface TestSpec {
  namespace: string;
  name: string;
  description?: string;
  labels: Labels;
  runConfig: RunConfig;
  schedule?: Schedule;
  matrix?: Matrix;
  /** Name of an executor preset (k6, newman, …) that can supply the image and command. */
  executor?: string;
  retry: RetryPolicy;
  concurrencyPolicy: ConcurrencyPolicy;
  resources: { factor?: number; cpu?: string; memory?: string };
  /** Distributed k6: runs per schedule, each with its execution segment (absent or 1: one run). */
  shards?: number;
}

/** Most shards one distributed k6 test may have. */
export const MAX_SHARDS = 64;

const TEST_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const EXECUTOR_NAME = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/**
 * Validates a whole test definition and returns every violation (not just the first), with proto
 * field paths, so `RegisterTest` can answer InvalidArgument listing all problems at once. Names
 * keep tstr's freedom (1–200 characters, `[A-Za-z0-9][A-Za-z0-9._-]*`). The image may be empty
 * only when an executor preset supplies it.
 */
export function validateTestSpec(spec: TestSpec, limits: TestSpecLimits = DEFAULT_LIMITS): FieldViolation[] {
  const violations: FieldViolation[] = [];
  const add = (path: string, message: string) => violations.push({ path, message });

  const nameProblem = validateTestName(spec.name, limits);
  if (nameProblem !== undefined) add("name", nameProblem);
  violations.push(...validateNamespace(spec.namespace));
  if ((spec.description ?? "").length > limits.maxDescriptionLength) {
    add("description", `must be at most ${limits.maxDescriptionLength} characters`);
  }
  if (Object.keys(spec.labels).length > limits.maxLabels) add("labels", `must have at most ${limits.maxLabels} labels`);
  else violations.push(...validateLabels(spec.labels));

  if (spec.runConfig.image === "" && !spec.executor)
    add("run_config.container_image", "is required unless an executor is set");
  violations.push(...validateRunConfig(spec.runConfig, limits));

  if (spec.schedule !== undefined) violations.push(...validateSchedule(spec.schedule));
  if (spec.matrix !== undefined) violations.push(...validateMatrix(spec.matrix, limits.matrixCap));
  if (spec.executor && !(spec.executor.length <= 63 && EXECUTOR_NAME.test(spec.executor))) {
    add("executor", "must be a lowercase name such as k6 or newman");
  }
  violations.push(...validateRetry(spec.retry, limits));
  if (!CONCURRENCY_POLICIES.includes(spec.concurrencyPolicy)) {
    add("concurrency_policy", `must be one of ${CONCURRENCY_POLICIES.join(", ")}`);
  }
  if (spec.shards !== undefined && spec.shards !== 1) {
    if (!Number.isInteger(spec.shards) || spec.shards < 1 || spec.shards > MAX_SHARDS) {
      add("shards", `must be a whole number from 1 to ${MAX_SHARDS}`);
    } else if (spec.executor !== "k6") {
      add("shards", "only k6 tests can be sharded (set executor: k6)");
    } else if (spec.matrix && matrixSize(spec.matrix) * spec.shards > limits.matrixCap) {
      add("shards", `matrix combinations × shards must be at most ${limits.matrixCap} runs per schedule`);
    }
  }
  const { factor } = spec.resources;
  if (factor !== undefined && !(Number.isFinite(factor) && factor > 0 && factor <= 1)) {
    add("resources.factor", "must be greater than 0 and at most 1");
  }
  return violations;
}

/** Checks a test name (tstr's rules: 1–200 characters, starting alphanumeric, then `._-`). */
export function validateTestName(name: string, limits: TestSpecLimits = DEFAULT_LIMITS): string | undefined {
  if (name.length === 0) return "is required";
  if (name.length > limits.maxNameLength) return `must be at most ${limits.maxNameLength} characters`;
  if (!TEST_NAME.test(name)) {
    return "must start with a letter or digit and contain only letters, digits, '.', '_' and '-'";
  }
  return undefined;
}

function validateSchedule(schedule: Schedule): FieldViolation[] {
  const zoneProblem = validateTimezone(schedule.timezone);
  if (zoneProblem !== undefined) return [{ path: "timezone", message: zoneProblem }];
  const cronProblem = validateCron(schedule.cron, schedule.timezone);
  return cronProblem === undefined ? [] : [{ path: "cron_schedule", message: cronProblem }];
}

function validateRetry(retry: RetryPolicy, limits: TestSpecLimits): FieldViolation[] {
  const violations: FieldViolation[] = [];
  if (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1 || retry.maxAttempts > limits.maxAttempts) {
    violations.push({ path: "retry.max_attempts", message: `must be between 1 and ${limits.maxAttempts}` });
  }
  retry.on.forEach((cause, i) => {
    if (!RETRY_CAUSES.includes(cause)) {
      violations.push({ path: listItemPath("retry.on", i), message: `must be one of ${RETRY_CAUSES.join(", ")}` });
    }
  });
  if (!Number.isFinite(retry.backoffMs) || retry.backoffMs < 0 || retry.backoffMs > limits.maxBackoffMs) {
    violations.push({
      path: "retry.backoff",
      message: `must be between 0s and ${formatDuration(limits.maxBackoffMs)}`,
    });
  }
  return violations;
}
