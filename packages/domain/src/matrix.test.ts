import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatLabels } from "./label-assignments.js";
import { expandMatrix, type Matrix, matrixSize, validateMatrix } from "./matrix.js";
import { catchError, labelNameArbitrary } from "./test-support.js";
import { ValidationError } from "./validation-error.js";

const matrix = (
  labels: Record<string, string[]>,
  include: Matrix["include"] = [],
  exclude: Matrix["exclude"] = [],
): Matrix => ({
  labels,
  include,
  exclude,
});

describe("expandMatrix", () => {
  it("expands the product over sorted keys, laid over the base labels", () => {
    const runs = expandMatrix(matrix({ os: ["linux", "windows"], browser: ["chrome", "firefox"] }), {
      team: "qa",
      os: "base",
    });
    expect(runs).toEqual([
      { team: "qa", os: "linux", browser: "chrome" },
      { team: "qa", os: "windows", browser: "chrome" },
      { team: "qa", os: "linux", browser: "firefox" },
      { team: "qa", os: "windows", browser: "firefox" },
    ]);
    expect(runs.map(formatLabels)).toEqual([
      "browser=chrome,os=linux,team=qa",
      "browser=chrome,os=windows,team=qa",
      "browser=firefox,os=linux,team=qa",
      "browser=firefox,os=windows,team=qa",
    ]);
  });

  it("applies exclude before include, and skips includes already present", () => {
    const runs = expandMatrix(
      matrix(
        { os: ["linux", "windows"], browser: ["chrome", "safari"] },
        [
          { os: "macos", browser: "safari" },
          { os: "linux", browser: "chrome" },
          { os: "windows", browser: "safari" },
        ],
        [{ browser: "safari" }],
      ),
      {},
    );
    expect(runs.map(formatLabels)).toEqual([
      "browser=chrome,os=linux",
      "browser=chrome,os=windows",
      "browser=safari,os=macos",
      "browser=safari,os=windows",
    ]);
  });

  it("matches exclude entries against base labels too", () => {
    const runs = expandMatrix(matrix({ os: ["linux", "windows"] }, [], [{ team: "qa", os: "linux" }]), { team: "qa" });
    expect(runs).toEqual([{ team: "qa", os: "windows" }]);
  });

  it("treats an empty matrix as one run and an include-only matrix as its includes", () => {
    expect(expandMatrix(matrix({}), { a: "1" })).toEqual([{ a: "1" }]);
    expect(expandMatrix(matrix({}, [{ os: "linux" }, { os: "linux" }]), { a: "1" })).toEqual([{ a: "1", os: "linux" }]);
  });

  it("allows exactly the cap and refuses one more", () => {
    expect(expandMatrix(matrix({ a: values(16), b: values(16) }), {})).toHaveLength(256);
    const error = catchError(
      () => expandMatrix(matrix({ a: values(16), b: values(16) }, [{ c: "x" }]), {}),
      ValidationError,
    );
    expect(error.violations).toEqual([{ path: "matrix", message: "expands to more than 256 combinations" }]);
    expect(expandMatrix(matrix({ a: values(3) }), {}, 3)).toHaveLength(3);
  });

  it("refuses a 20-key × 10-value matrix instantly", () => {
    const labels = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, values(10)]));
    const started = performance.now();
    expect(() => expandMatrix(matrix(labels), {})).toThrow(/more than 256 combinations/);
    expect(performance.now() - started).toBeLessThan(200);
    expect(matrixSize(matrix(labels))).toBe(1e20);
  });

  it("reports bad axes and entries at their paths", () => {
    const violations = validateMatrix(
      matrix({ empty: [], dup: ["a", "b", "a"], "bad key": ["x"], ok: ["-bad"] }, [{}], [{ "-": "x" }]),
    );
    expect(violations).toEqual([
      { path: 'matrix.labels["empty"]', message: "must list at least one value" },
      { path: 'matrix.labels["dup"][2]', message: 'duplicates value "a"' },
      { path: 'matrix.labels["bad key"]', message: expect.stringMatching(/alphanumeric/) },
      { path: 'matrix.labels["ok"][0]', message: expect.stringMatching(/value/) },
      { path: "matrix.include[0]", message: "must name at least one label" },
      { path: 'matrix.exclude[0]["-"]', message: expect.stringMatching(/alphanumeric/) },
    ]);
  });

  it("yields matrixSize runs when nothing is excluded or duplicated", () => {
    const axes = fc.dictionary(labelNameArbitrary, fc.uniqueArray(labelNameArbitrary, { minLength: 1, maxLength: 4 }), {
      maxKeys: 4,
      noNullPrototype: true,
    });
    fc.assert(
      fc.property(axes, (labels) => {
        const m = matrix(labels);
        const runs = expandMatrix(m, { base: "x" });
        expect(runs).toHaveLength(matrixSize(m));
        expect(new Set(runs.map(formatLabels)).size).toBe(runs.length);
        for (const run of runs) for (const [key, vs] of Object.entries(labels)) expect(vs).toContain(run[key]);
      }),
    );
  });
});

function values(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `v${i}`);
}
