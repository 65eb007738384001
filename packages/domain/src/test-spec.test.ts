import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY, type RetryPolicy } from "./retry-policy.js";
import type { RunConfig } from "./run-config.js";
import { type TestSpec, validateTestName, validateTestSpec } from "./test-spec.js";
import { DEFAULT_LIMITS, DEFAULT_TIMEOUT_MS } from "./test-spec-limits.js";

function validSpec(): TestSpec {
  return {
    namespace: "default",
    name: "checkout-smoke",
    description: "Smoke test of the checkout flow",
    labels: { team: "payments", "app.kubernetes.io/name": "checkout" },
    runConfig: {
      image: "registry.example.com/tests/checkout:1.2@sha256:abc",
      command: "k6",
      args: ["run", "script.js"],
      env: { TARGET_URL: "https://example.com", _DEBUG: "1" },
      timeoutMs: DEFAULT_TIMEOUT_MS,
      gracePeriodMs: 10_000,
      workingDir: "/work",
      files: [...FILES],
      resultsPath: "/results",
    },
    schedule: { cron: "*/15 * * * *", timezone: "America/Toronto", paused: false },
    matrix: { labels: { region: ["eu", "us"] }, include: [], exclude: [] },
    executor: "k6",
    retry: { maxAttempts: 3, on: ["RUNNER_LOST", "ERROR"], backoffMs: 5_000 },
    concurrencyPolicy: "forbid",
    resources: { factor: 0.5 },
  };
}

const FILES = [
  { path: "script.js", content: "export default () => {}" },
  { path: "data/users.csv", content: "" },
];

/** Fields to change in the valid spec; nested objects are merged one level deep. */
type Patch = Omit<Partial<TestSpec>, "runConfig" | "retry"> & {
  runConfig?: Partial<RunConfig>;
  retry?: Partial<RetryPolicy>;
};

function patched(patch: Patch): TestSpec {
  const base = validSpec();
  return {
    ...base,
    ...patch,
    runConfig: { ...base.runConfig, ...patch.runConfig },
    retry: { ...base.retry, ...patch.retry },
    resources: { ...base.resources, ...patch.resources },
  };
}

const KIB = 1024;
const many = <T>(count: number, make: (i: number) => T): T[] => Array.from({ length: count }, (_, i) => make(i));
const file = (path: string, content = "") => ({ path, content });

describe("validateTestSpec", () => {
  it("accepts a complete valid spec and a minimal one", () => {
    expect(validateTestSpec(validSpec())).toEqual([]);
    const minimal: TestSpec = {
      namespace: "a",
      name: "t",
      labels: {},
      runConfig: { image: "busybox", command: "", args: [], env: {}, files: [] },
      retry: { ...DEFAULT_RETRY, on: [...DEFAULT_RETRY.on] },
      concurrencyPolicy: "allow",
      resources: {},
    };
    expect(validateTestSpec(minimal)).toEqual([]);
  });

  it.each<[string, Patch, string, RegExp]>([
    ["empty name", { name: "" }, "name", /required/],
    ["long name", { name: "a".repeat(201) }, "name", /200/],
    ["bad name", { name: "-x" }, "name", /start with a letter/],
    ["bad namespace", { namespace: "Default" }, "namespace", /lowercase/],
    ["long description", { description: "x".repeat(4097) }, "description", /4096/],
    ["bad label", { labels: { "app.kubernetes.io/name": "-" } }, 'labels["app.kubernetes.io/name"]', /value/],
    ["too many labels", { labels: Object.fromEntries(many(65, (i) => [`k${i}`, "v"])) }, "labels", /64/],
    ["no image", { runConfig: { image: "" }, executor: undefined }, "run_config.container_image", /required/],
    ["long image", { runConfig: { image: "x".repeat(513) } }, "run_config.container_image", /512/],
    ["spaced image", { runConfig: { image: "busybox latest" } }, "run_config.container_image", /without whitespace/],
    ["control in image", { runConfig: { image: "busybox\n" } }, "run_config.container_image", /printable/],
    ["huge command", { runConfig: { command: "x".repeat(64 * KIB + 1) } }, "run_config.command", /65536 bytes/],
    ["huge arg", { runConfig: { args: ["ok", "é".repeat(32 * KIB + 1)] } }, "run_config.args[1]", /65536 bytes/],
    ["too many args", { runConfig: { args: many(1001, () => "a") } }, "run_config.args", /1000 arguments/],
    ["long command line", { runConfig: { args: many(20, () => "a".repeat(60 * KIB)) } }, "run_config.args", /total/],
    ["bad env name", { runConfig: { env: { "1BAD": "x" } } }, 'run_config.env["1BAD"]', /letters, digits/],
    ["reserved env", { runConfig: { env: { TSTR_RUN_ID: "x" } } }, 'run_config.env["TSTR_RUN_ID"]', /reserved/],
    ["huge env value", { runConfig: { env: { BIG: "x".repeat(64 * KIB + 1) } } }, 'run_config.env["BIG"]', /bytes/],
    [
      "too many env",
      { runConfig: { env: Object.fromEntries(many(1001, (i) => [`E${i}`, ""])) } },
      "run_config.env",
      /1000/,
    ],
    ["short timeout", { runConfig: { timeoutMs: 999 } }, "run_config.timeout", /between 1s and 168h/],
    ["long timeout", { runConfig: { timeoutMs: 7 * 24 * 3_600_000 + 1 } }, "run_config.timeout", /168h/],
    ["NaN timeout", { runConfig: { timeoutMs: Number.NaN } }, "run_config.timeout", /between/],
    ["long grace", { runConfig: { gracePeriodMs: 3_600_000 } }, "run_config.grace_period", /10m/],
    ["relative working dir", { runConfig: { workingDir: "work" } }, "run_config.working_dir", /absolute/],
    ["results path escape", { runConfig: { resultsPath: "/a/../b" } }, "run_config.results_path", /'\.\.'/],
    [
      "absolute file",
      { runConfig: { files: [...FILES, file("/etc/passwd")] } },
      "run_config.files[2].path",
      /relative/,
    ],
    ["escaping file", { runConfig: { files: [...FILES, file("a/../../x")] } }, "run_config.files[2].path", /'\.\.'/],
    ["empty file path", { runConfig: { files: [...FILES, file("")] } }, "run_config.files[2].path", /empty/],
    [
      "duplicate file",
      { runConfig: { files: [...FILES, file("script.js")] } },
      "run_config.files[2].path",
      /duplicates/,
    ],
    [
      "huge file",
      { runConfig: { files: [...FILES, file("big", "x".repeat(1024 * KIB + 1))] } },
      "run_config.files[2].content",
      /bytes/,
    ],
    [
      "files total",
      { runConfig: { files: many(5, (i) => file(`f${i}`, "x".repeat(1024 * KIB))) } },
      "run_config.files",
      /total/,
    ],
    ["too many files", { runConfig: { files: many(101, (i) => file(`f${i}`)) } }, "run_config.files", /100 files/],
    ["bad cron", { schedule: { cron: "61 * * * *", timezone: "UTC", paused: false } }, "cron_schedule", /minute/],
    [
      "bad zone",
      { schedule: { cron: "* * * * *", timezone: "Mars/Base", paused: true } },
      "timezone",
      /unknown time zone/,
    ],
    [
      "big matrix",
      { matrix: { labels: { a: ["1", "2", "3"], b: ["1", "2"] }, include: [], exclude: [] } },
      "matrix",
      /4/,
    ],
    ["empty axis", { matrix: { labels: { os: [] }, include: [], exclude: [] } }, 'matrix.labels["os"]', /at least one/],
    ["bad executor", { executor: "K6!" }, "executor", /lowercase/],
    ["zero attempts", { retry: { maxAttempts: 0 } }, "retry.max_attempts", /between 1 and 10/],
    ["eleven attempts", { retry: { maxAttempts: 11 } }, "retry.max_attempts", /between 1 and 10/],
    ["fractional attempts", { retry: { maxAttempts: 1.5 } }, "retry.max_attempts", /between/],
    ["unknown retry cause", { retry: { on: ["ERROR", "TIMEOUT" as never] } }, "retry.on[1]", /one of/],
    ["negative backoff", { retry: { backoffMs: -1 } }, "retry.backoff", /between 0s and 1h/],
    ["bad policy", { concurrencyPolicy: "queue" as never }, "concurrency_policy", /allow, forbid, replace/],
    ["zero factor", { resources: { factor: 0 } }, "resources.factor", /greater than 0/],
    ["big factor", { resources: { factor: 1.01 } }, "resources.factor", /at most 1/],
    ["shards without k6", { executor: "newman", shards: 4 }, "shards", /only k6 tests can be sharded/],
    ["too many shards", { executor: "k6", shards: 65 }, "shards", /from 1 to 64/],
    ["fractional shards", { executor: "k6", shards: 2.5 }, "shards", /whole number/],
    [
      "matrix × shards over the cap",
      { executor: "k6", shards: 3, matrix: { labels: { a: ["1", "2"] }, include: [], exclude: [] } },
      "shards",
      /at most 4 runs per schedule/,
    ],
  ])("reports %s", (_, patch, path, message) => {
    const limits = { ...DEFAULT_LIMITS, matrixCap: 4 };
    expect(validateTestSpec(patched(patch), limits)).toEqual([{ path, message: expect.stringMatching(message) }]);
  });

  it("allows a sharded k6 test", () => {
    expect(validateTestSpec(patched({ executor: "k6", shards: 8 }))).toEqual([]);
  });

  it("allows an empty image when an executor supplies it, and a factor of exactly 1", () => {
    const spec = validSpec();
    spec.runConfig.image = "";
    spec.resources.factor = 1;
    expect(validateTestSpec(spec)).toEqual([]);
  });

  it("collects every violation, not just the first", () => {
    const spec = validSpec();
    spec.name = "";
    spec.namespace = "";
    spec.runConfig.env["1BAD"] = "x";
    spec.runConfig.timeoutMs = 0;
    spec.retry.maxAttempts = 0;
    spec.resources.factor = 2;
    expect(validateTestSpec(spec).map((v) => v.path)).toEqual([
      "name",
      "namespace",
      'run_config.env["1BAD"]',
      "run_config.timeout",
      "retry.max_attempts",
      "resources.factor",
    ]);
  });

  it("stays fast on hostile sizes", () => {
    const spec = validSpec();
    spec.runConfig.env = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`1E${i}`, ""]));
    spec.matrix = {
      labels: Object.fromEntries(
        Array.from({ length: 20 }, (_, i) => [`k${i}`, ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]]),
      ),
      include: [],
      exclude: [],
    };
    const started = performance.now();
    expect(validateTestSpec(spec).map((v) => v.path)).toEqual(["run_config.env", "matrix"]);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe("validateTestName", () => {
  it.each(["a", "Checkout_Smoke-1.2", "0", "a".repeat(200)])("accepts %j", (name) => {
    expect(validateTestName(name)).toBeUndefined();
  });

  it.each(["", ".a", "a b", "a/b", "a".repeat(201), "ä"])("rejects %j", (name) => {
    expect(validateTestName(name)).toBeDefined();
  });
});
