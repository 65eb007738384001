import { clone, create } from "@bufbuild/protobuf";
import { type TestSpec, ValidationError } from "@tstr/domain";
import { type Test, Test_RunConfigSchema, TestSchema, type UpdateTestRequest } from "@tstr/proto";
import type { TestFields } from "./test-mapping.js";
import { testSpecFromFields } from "./test-mapping.js";

const TOP_LEVEL: Record<string, keyof TestFields> = {
  name: "name",
  labels: "labels",
  run_config: "runConfig",
  cron_schedule: "cronSchedule",
  matrix: "matrix",
  description: "description",
  timezone: "timezone",
  schedule_paused: "schedulePaused",
  executor: "executor",
  retry: "retry",
  concurrency_policy: "concurrencyPolicy",
  resources: "resources",
  shards: "shards",
};

const RUN_CONFIG_FIELDS: Record<string, string> = {
  container_image: "containerImage",
  command: "command",
  args: "args",
  env: "env",
  timeout: "timeout",
  working_dir: "workingDir",
  files: "files",
  results_path: "resultsPath",
  grace_period: "gracePeriod",
  executor_options: "executorOptions",
  kubernetes: "kubernetes",
};

/**
 * Applies UpdateTest to the current definition: only the fields named in the field mask change
 * (`run_config.timeout` changes one run-config field). Without a mask, every field the request
 * sets (non-empty) changes, as tstr's clients expect.
 */
export function applyTestUpdate(current: Test, req: UpdateTestRequest): TestSpec {
  const next = clone(TestSchema, current);
  const paths = req.fieldMask?.paths.length ? req.fieldMask.paths : presentPaths(req);
  const problems: { path: string; message: string }[] = [];
  for (const path of paths) {
    const [head = "", sub] = path.split(".", 2);
    const key = TOP_LEVEL[head];
    if (!key) {
      problems.push({
        path: "field_mask",
        message: `unknown field path "${path}"`,
      });
    } else if (sub === undefined) {
      (next as unknown as Record<string, unknown>)[key] = req[key];
    } else if (head === "run_config" && RUN_CONFIG_FIELDS[sub]) {
      const field = RUN_CONFIG_FIELDS[sub];
      if (!next.runConfig) next.runConfig = create(Test_RunConfigSchema);
      const target = next.runConfig as unknown as Record<string, unknown>;
      target[field] = (req.runConfig as unknown as Record<string, unknown> | undefined)?.[field];
    } else {
      problems.push({
        path: "field_mask",
        message: `unknown field path "${path}"`,
      });
    }
  }
  if (problems.length) throw new ValidationError(problems);
  return testSpecFromFields(next, current.namespace);
}

function presentPaths(req: UpdateTestRequest): string[] {
  const paths: string[] = [];
  for (const [path, key] of Object.entries(TOP_LEVEL)) {
    const value: unknown = req[key];
    const present =
      value !== undefined &&
      value !== "" &&
      value !== false &&
      value !== 0 &&
      !(typeof value === "object" && value !== null && !("$typeName" in value) && Object.keys(value).length === 0);
    if (present) paths.push(path);
  }
  return paths;
}
