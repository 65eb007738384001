import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ExecutorSpec, validateExecutorName, validateExecutorSpec } from "./executor-spec.js";
import { DEFAULT_RETRY } from "./retry-policy.js";
import { type TestSpec, validateTestSpec } from "./test-spec.js";

function executor(overrides: Partial<ExecutorSpec> = {}): ExecutorSpec {
  return {
    namespace: "team-a",
    name: "my-k6",
    image: "grafana/k6:0.50.0",
    command: ["k6", "run"],
    args: [],
    acceptedFileTypes: [".js"],
    env: {},
    resultParsers: ["K6_SUMMARY"],
    ...overrides,
  };
}

/** A valid test that names `executor`, to compare the two name rules. */
function testNaming(executorName: string): TestSpec {
  return {
    namespace: "team-a",
    name: "t",
    labels: {},
    runConfig: { image: "busybox", command: "", args: [], env: {}, files: [] },
    executor: executorName,
    retry: DEFAULT_RETRY,
    concurrencyPolicy: "allow",
    resources: {},
  };
}

const problems = (spec: ExecutorSpec) => validateExecutorSpec(spec).map((v) => `${v.path}: ${v.message}`);

describe("validateExecutorSpec", () => {
  it.each([
    ["a namespaced executor", executor()],
    ["a global one", executor({ namespace: undefined })],
    [
      "every field",
      executor({
        description: "d",
        args: ["--quiet", ""],
        acceptedFileTypes: [".js", ".tar.gz", ".c++"],
        env: { K6_NO_USAGE_REPORT: "true", _x: "" },
        resultParsers: ["JUNIT", "K6_SUMMARY", "K6_NDJSON", "RESULT_JSON"],
        junitPath: "junit/report.xml",
        icon: "https://example.com/k6.svg",
      }),
    ],
    ["no command and no file types", executor({ command: [], acceptedFileTypes: [], resultParsers: [] })],
  ])("accepts %s", (_name, spec) => {
    expect(validateExecutorSpec(spec)).toEqual([]);
  });

  it("reports every problem at once, with proto field paths", () => {
    expect(
      problems(
        executor({
          namespace: "Team_A",
          name: "K6",
          image: "",
          command: ["k6", ""],
          acceptedFileTypes: ["js", ".js", ".JS", `.${"x".repeat(17)}`],
          env: { "1BAD": "x", TSTR_RUN_ID: "y", "A-B": "z" },
          resultParsers: ["JUNIT", "JUNIT", "XML" as never],
          junitPath: "../junit.xml",
          icon: "a\nb",
        }),
      ),
    ).toEqual([
      "name: must consist of lowercase letters, digits and '-', and start and end with a letter or digit (e.g. k6, my-newman)",
      "namespace: must consist of lowercase alphanumeric characters or '-', and start and end with an alphanumeric character",
      "image: is required",
      "command[1]: must not be empty",
      "accepted_file_types[0]: \"js\" is not a file extension such as \".js\" (a dot, then at most 16 letters, digits, '.', '_', '+' or '-')",
      'accepted_file_types[2]: ".JS" is listed twice',
      `accepted_file_types[3]: ".${"x".repeat(17)}" is not a file extension such as ".js" (a dot, then at most 16 letters, digits, '.', '_', '+' or '-')`,
      "env[\"1BAD\"]: name must consist of letters, digits and '_', and not start with a digit",
      'env["TSTR_RUN_ID"]: names starting with TSTR_ are reserved for tstr',
      "env[\"A-B\"]: name must consist of letters, digits and '_', and not start with a digit",
      "result_parsers[1]: JUNIT is listed twice",
      "result_parsers[2]: must be one of JUNIT, K6_SUMMARY, K6_NDJSON, RESULT_JSON",
      "junit_path: must not contain '..'",
      "icon: must not contain control characters",
    ]);
  });

  it("lets only callers that say so go without an image (the built-in generic executor)", () => {
    expect(validateExecutorSpec(executor({ image: "" }), { requireImage: false })).toEqual([]);
    expect(problems(executor({ image: "grafana/k6 latest" }))).toEqual([
      "image: must be printable ASCII without whitespace",
    ]);
    expect(problems(executor({ image: "x".repeat(513) }))).toEqual(["image: must be at most 512 characters"]);
  });

  it("wants a relative junit_path, and JUNIT among the parsers when one is set", () => {
    expect(problems(executor({ junitPath: "/results/junit.xml", resultParsers: ["JUNIT"] }))).toEqual([
      "junit_path: must be a path relative to the results directory, such as junit/report.xml",
    ]);
    expect(problems(executor({ junitPath: "", resultParsers: ["JUNIT"] }))).toEqual(["junit_path: must not be empty"]);
    expect(problems(executor({ junitPath: "reports/out.xml", resultParsers: ["JUNIT"] }))).toEqual([
      "junit_path: must be under junit/ in the results directory, where the runner collects JUnit reports (e.g. junit/report.xml)",
    ]);
    expect(problems(executor({ junitPath: "junit/a.xml", resultParsers: ["K6_SUMMARY"] }))).toEqual([
      "junit_path: is set, but result_parsers does not include JUNIT",
    ]);
  });

  it("caps sizes with one violation per collection", () => {
    expect(problems(executor({ acceptedFileTypes: Array.from({ length: 33 }, (_, i) => `.t${i}`) }))).toEqual([
      "accepted_file_types: must list at most 32 file types",
    ]);
    expect(problems(executor({ args: Array.from({ length: 1001 }, () => "a") }))).toEqual([
      "args: must have at most 1000 entries",
    ]);
    expect(problems(executor({ args: ["x".repeat(65 * 1024)] }))).toEqual(["args[0]: must be at most 65536 bytes"]);
    expect(problems(executor({ description: "d".repeat(4097) }))).toEqual([
      "description: must be at most 4096 characters",
    ]);
    expect(problems(executor({ icon: "i".repeat(2049) }))).toEqual(["icon: must be at most 2048 characters"]);
  });
});

describe("validateExecutorName", () => {
  it.each(["k6", "my-newman", "a", "0", `a${"b".repeat(62)}`])("accepts %j", (name) => {
    expect(validateExecutorName(name)).toBeUndefined();
  });

  it.each(["", "K6", "-k6", "k6-", "k_6", "k6.run", `a${"b".repeat(63)}`])("refuses %j", (name) => {
    expect(validateExecutorName(name)).toBeDefined();
  });

  it("accepts exactly the names a test may reference as its executor", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-zA-Z0-9._-]{1,70}$/), (name) => {
        const testAccepts = !validateTestSpec(testNaming(name)).some((v) => v.path === "executor");
        expect(validateExecutorName(name) === undefined).toBe(testAccepts);
      }),
    );
  });
});
