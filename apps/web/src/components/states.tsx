import type { ComponentChildren } from "preact";
import type { Problem } from "../api/problems.js";

/** A placeholder while the first answer of a read is on its way. */
export function Loading({ what }: { what: string }) {
  return (
    <div class="state state-loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" /> Loading {what}…
    </div>
  );
}

/** Shown when a list is empty: says so and what to do to fill it. */
export function Empty({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="state state-empty">
      <strong>{title}</strong>
      {children && <div class="state-hint">{children}</div>}
    </div>
  );
}

/** A failed read or action: what failed, the server's words, and what to do. */
export function ProblemBox({ problem, onRetry }: { problem: Problem; onRetry?: () => void }) {
  return (
    <div class="state state-error" role="alert">
      <strong>{problem.title}</strong>
      {problem.detail && <div class="state-detail">{problem.detail}</div>}
      <div class="state-hint">{problem.action}</div>
      {onRetry && (
        <button type="button" class="btn btn-small" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

/** Loading, error or content, the order every list on a page follows. */
export function QueryView<T>(props: {
  what: string;
  state: { data: T | undefined; problem: Problem | undefined; loading: boolean; reload(): void };
  children: (data: T) => ComponentChildren;
}) {
  const { state } = props;
  if (state.data === undefined) {
    if (state.problem) return <ProblemBox problem={state.problem} onRetry={state.reload} />;
    return <Loading what={props.what} />;
  }
  return (
    <>
      {state.problem && <ProblemBox problem={state.problem} onRetry={state.reload} />}
      {props.children(state.data)}
    </>
  );
}
