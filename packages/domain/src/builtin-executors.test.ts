import { describe, expect, it } from "vitest";
import { BUILTIN_EXECUTORS, builtinExecutor } from "./builtin-executors.js";
import { validateExecutorSpec } from "./executor-spec.js";

describe("BUILTIN_EXECUTORS", () => {
  it("are the presets the design names, each once", () => {
    expect(BUILTIN_EXECUTORS.map((e) => e.name)).toEqual([
      "k6",
      "newman",
      "playwright",
      "cypress",
      "jmeter",
      "artillery",
      "pytest",
      "generic",
    ]);
  });

  it.each(BUILTIN_EXECUTORS.map((e) => [e.name, e] as const))("%s is a valid global executor", (name, spec) => {
    expect(spec.namespace).toBeUndefined();
    expect(validateExecutorSpec(spec, { requireImage: name !== "generic" })).toEqual([]);
  });

  it("leaves the image of generic to the test, and only of generic", () => {
    expect(BUILTIN_EXECUTORS.filter((e) => e.image === "").map((e) => e.name)).toEqual(["generic"]);
  });

  it("exports k6 results where the k6 parsers look, and JUnit below junit/", () => {
    const k6 = builtinExecutor("k6");
    expect(k6?.resultParsers).toEqual(["K6_SUMMARY", "K6_NDJSON"]);
    expect(k6?.args.join(" ")).toMatch(
      /--summary-export=\$\(TSTR_RESULTS_DIR\)\/.+ --out json=\$\(TSTR_RESULTS_DIR\)\//,
    );
    for (const spec of BUILTIN_EXECUTORS.filter((e) => e.resultParsers.includes("JUNIT"))) {
      expect(spec.junitPath, spec.name).toMatch(/^junit(\/|$)/);
    }
    expect(builtinExecutor("newman")?.args).toContain("--reporter-junit-export");
    expect(builtinExecutor("nope")).toBeUndefined();
  });
});
