import { compareCodeUnits } from "./compare-code-units.js";
import { formatLabels } from "./label-assignments.js";
import { type Labels, validateLabelKey, validateLabels, validateLabelValue } from "./labels.js";
import { type FieldViolation, listItemPath, mapEntryPath, throwIfViolations } from "./validation-error.js";

/**
 * A test matrix: `labels` lists the values of each varying label (`os: [linux, windows]`);
 * `exclude` removes combinations, `include` adds extra ones. Each combination becomes one run.
 */
export interface Matrix {
  labels: Record<string, string[]>;
  include: Labels[];
  exclude: Labels[];
}

/** Default cap on runs per expansion, so one request cannot flood the queue. */
export const DEFAULT_MATRIX_CAP = 256;

/**
 * Upper bound on the number of combinations a matrix expands to, computed without expanding:
 * the product of the value counts plus the include entries (exclusions and duplicate includes
 * can only make the real expansion smaller). A matrix with includes but no label keys is just
 * its includes. Can be Infinity for absurd matrices.
 */
export function matrixSize(matrix: Matrix): number {
  return cartesianSize(matrix, Number.POSITIVE_INFINITY) + matrix.include.length;
}

/** Largest matrix whose entries are checked one by one (far above any useful matrix). */
export const MAX_MATRIX_KEYS = 64;
export const MAX_MATRIX_VALUES = 1024;

/**
 * Checks a matrix without expanding it: label keys and values, no key without values, no
 * duplicate values, non-empty include/exclude entries, and a size within `cap`. The size is
 * checked first and cheaply, so a 20-key × 10-value matrix is refused at once.
 */
export function validateMatrix(matrix: Matrix, cap = DEFAULT_MATRIX_CAP, path = "matrix"): FieldViolation[] {
  const violations: FieldViolation[] = [];
  const size = cartesianSize(matrix, cap) + matrix.include.length;
  if (size > cap) {
    violations.push({ path, message: `expands to more than ${cap} combinations` });
  }
  // Entry-by-entry checks only for a matrix of sane size: a hostile one gets one violation, not
  // one per value (which would make the error itself the attack).
  const keys = Object.keys(matrix.labels);
  const values = Object.values(matrix.labels).reduce((n, v) => n + v.length, 0);
  if (
    keys.length > MAX_MATRIX_KEYS ||
    values > MAX_MATRIX_VALUES ||
    matrix.include.length + matrix.exclude.length > MAX_MATRIX_VALUES
  ) {
    violations.push({
      path,
      message: `must have at most ${MAX_MATRIX_KEYS} label keys and ${MAX_MATRIX_VALUES} values, includes and excludes`,
    });
    return violations;
  }
  for (const [key, values] of Object.entries(matrix.labels)) {
    violations.push(...validateAxis(key, values, mapEntryPath(`${path}.labels`, key)));
  }
  for (const [field, entries] of [
    ["include", matrix.include],
    ["exclude", matrix.exclude],
  ] as const) {
    entries.forEach((entry, i) => {
      const entryPath = listItemPath(`${path}.${field}`, i);
      if (Object.keys(entry).length === 0)
        violations.push({ path: entryPath, message: "must name at least one label" });
      violations.push(...validateLabels(entry, entryPath));
    });
  }
  return violations;
}

/**
 * Expands a matrix into the label sets of its runs. The product runs over keys sorted by name,
 * values in the order given, so the same matrix always yields the same runs in the same order.
 * Each combination is laid over `baseLabels` (combination wins); combinations whose labels
 * contain every pair of some `exclude` entry are dropped; `include` entries, laid over the base
 * labels, are appended unless already present. Throws a ValidationError (path `matrix…`) when
 * the matrix is invalid or would expand beyond `cap`.
 */
export function expandMatrix(matrix: Matrix, baseLabels: Labels, cap = DEFAULT_MATRIX_CAP): Labels[] {
  throwIfViolations(validateMatrix(matrix, cap));
  const keys = Object.keys(matrix.labels).sort(compareCodeUnits);
  let combinations: Labels[] = keys.length === 0 && matrix.include.length > 0 ? [] : [{}];
  for (const key of keys) {
    const values = matrix.labels[key] ?? [];
    combinations = combinations.flatMap((combination) => values.map((value) => ({ ...combination, [key]: value })));
  }
  const runs = combinations
    .map((combination) => ({ ...baseLabels, ...combination }))
    .filter((labels) => !matrix.exclude.some((entry) => containsAll(labels, entry)));
  const seen = new Set(runs.map(formatLabels));
  for (const entry of matrix.include) {
    const labels = { ...baseLabels, ...entry };
    const identity = formatLabels(labels);
    if (seen.has(identity)) continue;
    seen.add(identity);
    runs.push(labels);
  }
  return runs;
}

/** Product of the value counts, stopping as soon as it passes `limit`. */
function cartesianSize(matrix: Matrix, limit: number): number {
  const axes = Object.values(matrix.labels);
  if (axes.length === 0) return matrix.include.length > 0 ? 0 : 1;
  let size = 1;
  for (const values of axes) {
    size *= values.length;
    if (size > limit) return size;
  }
  return size;
}

function validateAxis(key: string, values: string[], path: string): FieldViolation[] {
  const keyProblem = validateLabelKey(key);
  if (keyProblem !== undefined) return [{ path, message: keyProblem }];
  if (values.length === 0) return [{ path, message: "must list at least one value" }];
  const violations: FieldViolation[] = [];
  const seen = new Set<string>();
  values.forEach((value, i) => {
    const problem = seen.has(value) ? `duplicates value ${JSON.stringify(value)}` : validateLabelValue(value);
    if (problem !== undefined) violations.push({ path: listItemPath(path, i), message: problem });
    seen.add(value);
  });
  return violations;
}

function containsAll(labels: Labels, entry: Labels): boolean {
  return Object.entries(entry).every(([key, value]) => Object.hasOwn(labels, key) && labels[key] === value);
}
