import { percentileKey } from "./quantiles.js";

/** k6 threshold aggregations; `p` is a percentile `p(N)`. */
export type ThresholdAggregation = "avg" | "min" | "max" | "med" | "p" | "rate" | "count" | "value";
export type ThresholdOperator = "<" | "<=" | ">" | ">=" | "==" | "===" | "!=";

/** A parsed k6 threshold such as `p(95) < 500`. */
export interface ThresholdExpression {
  source: string;
  aggregation: ThresholdAggregation;
  /** The N of `p(N)`, 0..100. */
  percentile?: number;
  /** The {@link MetricSummary} value name it reads: `avg`, `p(95)`, `rate`… */
  valueKey: string;
  operator: ThresholdOperator;
  threshold: number;
}

/** A threshold expression that is not k6 syntax; `position` is the 0-based offset of the problem. */
export class ThresholdSyntaxError extends Error {
  override readonly name = "ThresholdSyntaxError";

  constructor(
    readonly expression: string,
    readonly position: number,
    problem: string,
  ) {
    super(`threshold ${JSON.stringify(expression)}: ${problem} at position ${position}`);
  }
}

const AGGREGATIONS: readonly string[] = ["avg", "min", "max", "med", "p", "rate", "count", "value"];
// Longest first, so `<=` is not read as `<` followed by garbage.
const OPERATORS: readonly ThresholdOperator[] = ["===", "==", "!=", "<=", ">=", "<", ">"];
const NUMBER = /[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/y;
const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;

/**
 * Parses k6 threshold syntax: `avg|min|max|med|p(N)|rate|count|value` then `<`, `<=`, `>`, `>=`,
 * `==`, `===` or `!=` then a number, whitespace allowed between the parts (`p(99.9) < 1500`).
 * Throws {@link ThresholdSyntaxError} naming the expression and the position of the problem.
 */
export function parseThresholdExpression(expression: string): ThresholdExpression {
  let pos = 0;
  const fail = (problem: string): never => {
    throw new ThresholdSyntaxError(expression, pos, problem);
  };
  const skipSpace = () => {
    while (pos < expression.length && /\s/.test(expression[pos] ?? "")) pos++;
  };
  const match = (pattern: RegExp): string | undefined => {
    pattern.lastIndex = pos;
    const found = pattern.exec(expression)?.[0];
    if (found !== undefined) pos += found.length;
    return found;
  };

  skipSpace();
  const start = pos;
  const word = match(WORD);
  if (word === undefined) fail("expected an aggregation (avg, min, max, med, p(N), rate, count or value)");
  if (!AGGREGATIONS.includes(word as string)) {
    pos = start;
    fail(`unknown aggregation ${JSON.stringify(word)} (expected avg, min, max, med, p(N), rate, count or value)`);
  }
  const aggregation = word as ThresholdAggregation;
  let percentile: number | undefined;
  if (aggregation === "p") {
    skipSpace();
    if (expression[pos] !== "(") fail('expected "(" after p');
    pos++;
    skipSpace();
    const numberAt = pos;
    const text = match(NUMBER);
    if (text === undefined || text.startsWith("+") || text.startsWith("-")) {
      pos = numberAt;
      fail("expected a percentile from 0 to 100");
    }
    percentile = Number(text);
    if (!(percentile >= 0 && percentile <= 100)) {
      pos = numberAt;
      fail(`percentile ${text} is outside 0..100`);
    }
    skipSpace();
    if (expression[pos] !== ")") fail('expected ")"');
    pos++;
  }
  skipSpace();
  const operator = OPERATORS.find((op) => expression.startsWith(op, pos));
  if (operator === undefined) fail("expected an operator (<, <=, >, >=, ==, === or !=)");
  pos += (operator as string).length;
  skipSpace();
  const value = match(NUMBER);
  if (value === undefined) fail("expected a number");
  skipSpace();
  if (pos < expression.length) fail(`unexpected ${JSON.stringify(expression.slice(pos, pos + 10))}`);
  return {
    source: expression,
    aggregation,
    ...(percentile === undefined ? {} : { percentile }),
    valueKey: percentile === undefined ? aggregation : percentileKey(percentile),
    operator: operator as ThresholdOperator,
    threshold: Number(value),
  };
}

/** Whether `actual` satisfies the expression's comparison (NaN satisfies only `!=`, as in k6's Go code). */
export function compareThreshold(expression: ThresholdExpression, actual: number): boolean {
  const limit = expression.threshold;
  switch (expression.operator) {
    case "<":
      return actual < limit;
    case "<=":
      return actual <= limit;
    case ">":
      return actual > limit;
    case ">=":
      return actual >= limit;
    case "==":
    case "===":
      return actual === limit;
    case "!=":
      return actual !== limit;
  }
}
