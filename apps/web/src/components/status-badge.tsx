import type { Run_Result, RunStatus } from "@tstr/proto";
import { runState } from "../format/status.js";

const ICONS: Record<string, string> = {
  pass: "✓",
  fail: "✗",
  error: "!",
  cancelled: "⊘",
  running: "●",
  queued: "◌",
  unknown: "?",
};

/** A run's status as a coloured badge with an icon and a word (never colour alone). */
export function StatusBadge({ run }: { run: { status: RunStatus; result: Run_Result } }) {
  const state = runState(run);
  return (
    <span class={`badge badge-${state.tone}`} data-status={state.label}>
      <span aria-hidden="true" class="badge-icon">
        {ICONS[state.tone]}
      </span>
      {state.label}
    </span>
  );
}

/** A tiny square per recent run (newest last), with the status in its title and text for screen readers. */
export function ResultStrip({ runs }: { runs: { id: string; status: RunStatus; result: Run_Result }[] }) {
  if (!runs.length) return <span class="muted">no runs</span>;
  return (
    <span class="strip">
      {runs.map((run) => {
        const state = runState(run);
        return (
          <a key={run.id} href={`#/runs/${run.id}`} class={`strip-cell tone-${state.tone}`} title={state.label}>
            <span class="sr-only">{state.label}</span>
          </a>
        );
      })}
    </span>
  );
}
