import type { Labels } from "./labels.js";
import { type Selector, selectorMatches } from "./selector.js";

/** The selectors a runner registers with to say which runs it will take. */
export interface RunnerSelectors {
  accept: Selector[];
  reject: Selector[];
}

/**
 * True when a runner with these selectors may take a run with `labels`: the labels match at least
 * one accept selector (an empty accept list accepts everything) and no reject selector. Reject
 * wins, so an operator can carve exceptions out of a broad accept.
 */
export function runnerAccepts(selectors: RunnerSelectors, labels: Labels): boolean {
  const accepted =
    selectors.accept.length === 0 || selectors.accept.some((selector) => selectorMatches(selector, labels));
  return accepted && !selectors.reject.some((selector) => selectorMatches(selector, labels));
}
