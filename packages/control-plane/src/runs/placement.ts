import type { ClaimCandidate, RunnerRecord } from "@tstr/db";
import { namespaceMatcher, parseSelector, runnerAccepts, type Selector } from "@tstr/domain";

/**
 * Whether a runner may take a run: its namespace is allowed by both the runner's registration and
 * its token, and the run's labels match one of the runner's accept selectors (none = all) and
 * none of its reject selectors. Selectors are compiled once per call site.
 */
export function placementFor(
  runner: RunnerRecord,
  tokenNamespaceSelectors: string[],
): (run: ClaimCandidate) => boolean {
  const compile = (texts: string[]): Selector[] => texts.map((text) => parseSelector(text));
  const selectors = { accept: compile(runner.acceptSelectors), reject: compile(runner.rejectSelectors) };
  const runnerNamespaces = namespaceMatcher(runner.namespaceSelectors.length ? runner.namespaceSelectors : [".*"]);
  const tokenNamespaces = namespaceMatcher(tokenNamespaceSelectors);
  return (run) =>
    runnerNamespaces(run.namespace) && tokenNamespaces(run.namespace) && runnerAccepts(selectors, run.labels);
}
