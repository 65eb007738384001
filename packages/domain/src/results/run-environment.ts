import { compareCodeUnits } from "../compare-code-units.js";

/** What the runner knows about a run when it starts its workload. */
export interface RunEnvironmentInput {
  runId: string;
  testName: string;
  attempt: number;
  labels: Record<string, string>;
  /** Where the results directory is mounted inside the workload. */
  resultsDir: string;
  namespace: string;
  /** The test's own `run_config.env`. */
  userEnv: Record<string, string>;
}

/**
 * Name of the variable carrying a label: `TSTR_LABEL_` plus the key uppercased with every
 * character outside `[A-Z0-9_]` replaced by `_` (`app.kubernetes.io/name` →
 * `TSTR_LABEL_APP_KUBERNETES_IO_NAME`), since shells cannot name variables with `.` or `/`.
 */
export function labelEnvName(key: string): string {
  return `TSTR_LABEL_${key.toUpperCase().replace(/[^A-Z0-9_]/g, "_")}`;
}

/**
 * The environment of a run's workload (DESIGN 2.4): the test's env, then tstr's variables
 * `TSTR_RUN_ID`, `TSTR_TEST_NAME`, `TSTR_ATTEMPT`, `TSTR_NAMESPACE`, `TSTR_RESULTS_DIR` and one
 * `TSTR_LABEL_<KEY>` per label. tstr's variables win over the test's env, so a test cannot
 * fake its own identity or results path; other `TSTR_*` names a test sets are left alone.
 * Label keys that map to the same name (`a.b` and `a-b` both give `TSTR_LABEL_A_B`) collide:
 * labels are applied in code-unit order of their keys and the last one wins, so the outcome is
 * the same on every runner whatever order the labels arrived in.
 */
export function runEnvironment(input: RunEnvironmentInput): Record<string, string> {
  const env = new Map<string, string>(Object.entries(input.userEnv));
  const labelKeys = Object.keys(input.labels).sort(compareCodeUnits);
  for (const key of labelKeys) env.set(labelEnvName(key), input.labels[key] as string);
  env.set("TSTR_RUN_ID", input.runId);
  env.set("TSTR_TEST_NAME", input.testName);
  env.set("TSTR_ATTEMPT", String(input.attempt));
  env.set("TSTR_NAMESPACE", input.namespace);
  env.set("TSTR_RESULTS_DIR", input.resultsDir);
  return Object.fromEntries(env);
}
