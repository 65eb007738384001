import { create } from "@bufbuild/protobuf";
import { type Assignment, AssignmentSchema } from "@tstr/proto";
import { describe, expect, it } from "vitest";
import { buildExecutionSpec, gracePeriodMs, runTimeoutMs } from "./run-spec.js";

function assignment(runConfig: Record<string, unknown>, run: Record<string, unknown> = {}): Assignment {
  return create(AssignmentSchema, {
    attempt: 3,
    run: {
      id: "run-9",
      testName: "checkout",
      namespace: "shop",
      labels: { env: "prod", "app.kubernetes.io/name": "web" },
      testRunConfig: { containerImage: "k6:latest", ...runConfig },
      ...run,
    },
  });
}

describe("execution spec", () => {
  it("runs command + args with the entrypoint replaced when a command is set", () => {
    const spec = buildExecutionSpec(assignment({ command: "k6", args: ["run", "script.js"] }));
    expect(spec).toMatchObject({ image: "k6:latest", command: ["k6", "run", "script.js"], entrypointOverride: true });
  });

  it("passes args to the image's entrypoint when there is no command", () => {
    const spec = buildExecutionSpec(assignment({ args: ["run", "script.js"] }));
    expect(spec).toMatchObject({ command: ["run", "script.js"], entrypointOverride: false });
  });

  it("builds the run environment, labels, results path and working dir", () => {
    const spec = buildExecutionSpec(
      assignment({ env: { GREETING: "hi", TSTR_RUN_ID: "forged" }, workingDir: "/work", resultsPath: "/out" }),
    );
    expect(spec.env).toMatchObject({
      GREETING: "hi",
      TSTR_RUN_ID: "run-9",
      TSTR_TEST_NAME: "checkout",
      TSTR_ATTEMPT: "3",
      TSTR_NAMESPACE: "shop",
      TSTR_RESULTS_DIR: "/out",
      TSTR_LABEL_ENV: "prod",
      TSTR_LABEL_APP_KUBERNETES_IO_NAME: "web",
    });
    expect(spec).toMatchObject({ runId: "run-9", attempt: 3, workingDir: "/work", resultsPath: "/out" });
    expect(spec.labels).toEqual({
      "run-id": "run-9",
      test: "checkout",
      namespace: "shop",
      env: "prod",
      "app.kubernetes.io/name": "web",
    });
  });

  it("defaults the results path, working dir, grace period and timeout", () => {
    const a = assignment({});
    expect(buildExecutionSpec(a)).toMatchObject({ resultsPath: "/tstr/results", workingDir: undefined, files: [] });
    expect(gracePeriodMs(a)).toBe(10_000);
    expect(runTimeoutMs(a)).toBeUndefined();
    const b = assignment({ timeout: { seconds: 90n }, gracePeriod: { nanos: 500_000_000 } });
    expect(runTimeoutMs(b)).toBe(90_000);
    expect(gracePeriodMs(b)).toBe(500);
  });

  it("applies the k6 preset to k6 runs: image, k6 run <script>, option flags, shard segment, outputs", () => {
    const k6 = { executor: "k6", shardIndex: 1, shardCount: 2 };
    const spec = buildExecutionSpec(
      assignment(
        {
          containerImage: "",
          env: { BASE_URL: "http://localhost:8080" },
          files: [{ path: "smoke.js", content: new TextEncoder().encode("export default () => {}") }],
          executorOptions: { vus: "5", duration: "10s" },
        },
        k6,
      ),
    );
    expect(spec).toMatchObject({
      image: "grafana/k6",
      entrypointOverride: true,
      command: [
        "k6",
        "run",
        "smoke.js",
        ...["--vus", "5", "--duration", "10s"],
        ...["--execution-segment", "1/2:1", "--execution-segment-sequence", "0,1/2,1"],
        ...["--summary-export", "$(TSTR_RESULTS_DIR)/k6-summary.json", "--out", "json=$(TSTR_RESULTS_DIR)/k6.ndjson"],
      ],
      env: { BASE_URL: "http://localhost:8080", TSTR_RESULTS_DIR: "/tstr/results" },
    });
    expect(() => buildExecutionSpec(assignment({ args: ["run", "a.js"], executorOptions: { vu: "5" } }, k6))).toThrow(
      /unknown k6 option/,
    );
    expect(buildExecutionSpec(assignment({ args: ["run", "x.js"] })).command).toEqual(["run", "x.js"]);
  });
});
