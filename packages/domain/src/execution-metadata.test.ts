import { describe, expect, it } from "vitest";
import {
  DEFAULT_EXECUTION_TIMEOUT_MS,
  type ExecutionMetadataInput,
  executionOutcomeOf,
  executionResultOf,
  resolveExecutionMetadata,
  streamLikePattern,
  validateCancelReason,
  validateExecutionCompletion,
  validateExecutionMetadata,
  validateStreamPattern,
} from "./execution-metadata.js";
import {
  fitsLocation,
  formatFactor,
  type LocationOccupant,
  locationFullMessage,
} from "./execution-metadata-admission.js";

const base: ExecutionMetadataInput = { test: "perf-nightly" };

describe("validateExecutionMetadata", () => {
  const valid: [string, ExecutionMetadataInput][] = [
    ["only a test name", base],
    [
      "every field",
      {
        test: "perf nightly (jenkins)",
        repo: "git@github.com:acme/shop.git",
        stream: "release/2.4",
        type: "perf",
        environment: "staging",
        triggeredBy: "jenkins",
        dashboardUrl: "https://grafana.example.com/d/abc?from=now-1h",
        location: "lab-1",
        factor: 0.5,
        timeoutMs: 30 * 60_000,
      },
    ],
    ["factor 1", { ...base, factor: 1, location: "lab-1" }],
    ["factor 0 means not factored (no location needed)", { ...base, factor: 0 }],
    ["a location without a factor", { ...base, location: "lab-1" }],
    ["the shortest timeout", { ...base, timeoutMs: 1000 }],
    ["the longest timeout", { ...base, timeoutMs: 7 * 24 * 3_600_000 }],
    ["http dashboard", { ...base, dashboardUrl: "http://ci.local:8080/job/1" }],
  ];
  it.each(valid)("accepts %s", (_name, input) => {
    expect(validateExecutionMetadata(input)).toEqual([]);
  });

  const invalid: [string, ExecutionMetadataInput, string, RegExp][] = [
    ["no test name", { test: "" }, "metadata.test", /is required/],
    ["a blank test name", { test: "   " }, "metadata.test", /is required/],
    ["a test name over 256 characters", { test: "t".repeat(257) }, "metadata.test", /at most 256/],
    ["a newline in the stream", { ...base, stream: "main\nx" }, "metadata.stream", /single line/],
    ["a long repo", { ...base, repo: "r".repeat(300) }, "metadata.repo", /at most 256/],
    ["a control character in triggered_by", { ...base, triggeredBy: "a\u0007" }, "metadata.triggered_by", /single/],
    ["a negative factor", { ...base, factor: -0.1, location: "l" }, "metadata.factor", /greater than 0/],
    ["a factor above 1", { ...base, factor: 1.5, location: "l" }, "metadata.factor", /at most 1.*not 1\.5/],
    ["a NaN factor", { ...base, factor: Number.NaN, location: "l" }, "metadata.factor", /not NaN/],
    ["a factor without location", { ...base, factor: 0.3 }, "metadata.location", /required with a factor/],
    ["a factor with a blank location", { ...base, factor: 0.3, location: " " }, "metadata.location", /required/],
    ["a timeout under 1 s", { ...base, timeoutMs: 500 }, "metadata.timeout", /between 1s and 168h.*not 500ms/],
    ["a timeout over 7 days", { ...base, timeoutMs: 8 * 24 * 3_600_000 }, "metadata.timeout", /not 192h/],
    ["a negative timeout", { ...base, timeoutMs: -1000 }, "metadata.timeout", /between/],
    ["a relative dashboard URL", { ...base, dashboardUrl: "/d/abc" }, "metadata.dashboard_url", /absolute/],
    ["a javascript: dashboard URL", { ...base, dashboardUrl: "javascript:alert(1)" }, "metadata.dashboard_url", /http/],
    ["an ftp dashboard URL", { ...base, dashboardUrl: "ftp://x/y" }, "metadata.dashboard_url", /not ftp/],
    [
      "a huge dashboard URL",
      { ...base, dashboardUrl: `https://x/${"a".repeat(2048)}` },
      "metadata.dashboard_url",
      /2048/,
    ],
  ];
  it.each(invalid)("refuses %s, naming the field", (_name, input, path, message) => {
    const violations = validateExecutionMetadata(input);
    expect(violations).toHaveLength(1);
    expect(violations[0]?.path).toBe(path);
    expect(violations[0]?.message).toMatch(message);
  });

  it("reports every problem at once, under the given path", () => {
    const violations = validateExecutionMetadata({ test: "", factor: 2, timeoutMs: 10 }, "execution");
    expect(violations.map((v) => v.path)).toEqual(["execution.test", "execution.factor", "execution.timeout"]);
  });
});

describe("resolveExecutionMetadata", () => {
  it("fills the default timeout, trims texts and drops empty ones and factor 0", () => {
    expect(resolveExecutionMetadata({ test: " perf ", stream: "", location: " lab-1 ", factor: 0 })).toEqual({
      test: "perf",
      location: "lab-1",
      timeoutMs: DEFAULT_EXECUTION_TIMEOUT_MS,
    });
  });

  it("keeps what was given", () => {
    const input = {
      test: "t",
      stream: "main",
      factor: 0.25,
      location: "l",
      timeoutMs: 5000,
      dashboardUrl: "https://x",
    };
    expect(resolveExecutionMetadata(input)).toEqual(input);
  });
});

describe("execution outcomes", () => {
  const table: [string, string | undefined][] = [
    ["success", "PASS"],
    ["failure", "FAIL"],
    ["cancelled", "CANCELLED"],
    ["SUCCESS", "PASS"],
    [" Failure ", "FAIL"],
    ["error", undefined],
    ["timed_out", undefined],
    ["pass", undefined],
    ["toString", undefined],
    ["", undefined],
  ];
  it.each(table)("%j → %s", (word, result) => {
    expect(executionResultOf(word)).toBe(result);
  });

  it("maps results back to the words a caller may use, and nothing for server-decided ones", () => {
    expect(executionOutcomeOf("PASS")).toBe("success");
    expect(executionOutcomeOf("FAIL")).toBe("failure");
    expect(executionOutcomeOf("CANCELLED")).toBe("cancelled");
    expect(executionOutcomeOf("ERROR")).toBeUndefined();
    expect(executionOutcomeOf("TIMED_OUT")).toBeUndefined();
  });
});

describe("validateExecutionCompletion", () => {
  it("accepts PASS, FAIL and CANCELLED with small result data", () => {
    for (const result of ["PASS", "FAIL", "CANCELLED"] as const) {
      expect(validateExecutionCompletion(result, { p95: "120ms" })).toEqual([]);
    }
  });

  it.each([["ERROR"], ["TIMED_OUT"], [undefined]] as const)("refuses result %s", (result) => {
    const [violation] = validateExecutionCompletion(result, {});
    expect(violation?.path).toBe("result");
    expect(violation?.message).toMatch(/PASS \(success\), FAIL \(failure\) or CANCELLED/);
    expect(violation?.message).toContain(`not ${result ?? "unset"}`);
  });

  it("refuses empty keys, long keys, huge values and too many entries", () => {
    expect(validateExecutionCompletion("PASS", { "": "x" })[0]?.path).toBe('result_data[""]');
    expect(validateExecutionCompletion("PASS", { ["k".repeat(300)]: "x" })[0]?.message).toMatch(/1 to 256/);
    expect(validateExecutionCompletion("PASS", { big: "x".repeat(70_000) })[0]).toEqual({
      path: 'result_data["big"]',
      message: "value must be at most 65536 bytes",
    });
    const many = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, "v"]));
    expect(validateExecutionCompletion("PASS", many)).toEqual([
      { path: "result_data", message: "must have at most 1000 entries" },
    ]);
  });
});

describe("reasons and stream filters", () => {
  it("bounds the cancel reason and the stream pattern", () => {
    expect(validateCancelReason("job aborted by alice")).toEqual([]);
    expect(validateCancelReason("x\ny")[0]?.path).toBe("reason");
    expect(validateStreamPattern("release/%")).toEqual([]);
    expect(validateStreamPattern("%".repeat(257))[0]?.path).toBe("stream");
  });

  const patterns: [string, string][] = [
    ["release/%", "release/%"],
    ["main", "main"],
    ["feature_x", "feature\\_x"],
    ["a\\b", "a\\\\b"],
    ["%_\\%", "%\\_\\\\%"],
    ["", ""],
  ];
  it.each(patterns)("stream %j is LIKE %j", (pattern, like) => {
    expect(streamLikePattern(pattern)).toBe(like);
  });
});

describe("location admission", () => {
  it.each([
    [0, 1, true],
    [0.7, 0.3, true],
    [0.1 + 0.2, 0.7, true],
    [0.7, 0.4, false],
    [1, 0.01, false],
  ])("used %d + %d fits: %s", (used, factor, fits) => {
    expect(fitsLocation(used, factor)).toBe(fits);
  });

  it("formats factors to three decimals", () => {
    expect(formatFactor(0.1 + 0.2)).toBe("0.3");
    expect(formatFactor(1)).toBe("1");
    expect(formatFactor(0.33333)).toBe("0.333");
  });

  const now = new Date("2026-11-21T10:30:00Z");
  const occupant = (o: Partial<LocationOccupant>): LocationOccupant => ({
    runId: "0b6f3c1e-aaaa-bbbb-cccc-000000000000",
    namespace: "perf",
    testName: "t",
    factor: 0.1,
    external: false,
    ...o,
  });

  it("names what holds the location: number, test, factor, kind and since when", () => {
    const message = locationFullMessage({
      location: "lab-1",
      needed: 0.4,
      namespace: "perf",
      canSee: () => true,
      now,
      occupants: [
        occupant({ testName: "soak", factor: 0.2, since: new Date("2026-11-21T10:05:00Z") }),
        occupant({
          testName: "perf-nightly",
          runNumber: 12,
          factor: 0.5,
          external: true,
          since: new Date("2026-11-21T10:02:10Z"),
        }),
      ],
    });
    expect(message).toBe(
      'location "lab-1" is full: 0.7 of 1 in use by #12 perf-nightly (0.5, external, since 10:02Z), ' +
        "soak (0.2, run 0b6f3c1e, since 10:05Z); this execution needs 0.4",
    );
  });

  it("prefixes other namespaces, hides the ones the caller cannot see, dates older runs, and caps the list", () => {
    const message = locationFullMessage({
      location: "lab-1",
      needed: 0.5,
      namespace: "perf",
      canSee: (ns) => ns !== "secret",
      now,
      occupants: [
        occupant({ namespace: "team-b", testName: "load", factor: 0.3, since: new Date("2026-11-20T23:59:00Z") }),
        occupant({ namespace: "secret", testName: "hidden-name", factor: 0.25 }),
        ...Array.from({ length: 5 }, (_, i) => occupant({ testName: `small-${i}`, factor: 0.05 })),
      ],
    });
    expect(message).toContain("team-b/load (0.3, run 0b6f3c1e, since 2026-11-20T23:59Z)");
    expect(message).toContain("a run of another namespace (0.25)");
    expect(message).not.toContain("hidden-name");
    expect(message).toContain("0.8 of 1 in use");
    expect(message).toMatch(/and 2 more; this execution needs 0.5$/);
  });

  it("still reads when nothing is listed", () => {
    expect(
      locationFullMessage({ location: "x", needed: 1, namespace: "n", canSee: () => true, now, occupants: [] }),
    ).toBe('location "x" is full: 0 of 1 in use; this execution needs 1');
  });
});
