import { type Run, RunStatus } from "@tstr/proto";
import { elapsedMs, formatDuration } from "../format/duration.js";
import { runState } from "../format/status.js";
import { formatDateTime, toDate } from "../format/time.js";

/**
 * The run's way through its states — scheduled, assigned, started, (cancel requested), finished —
 * with the time of each step and how long the step before took. Attempts are listed when there
 * were several.
 */
export function RunTimeline({ run }: { run: Run }) {
  const steps = [
    { label: "Scheduled", at: run.scheduledAt },
    { label: "Assigned", at: run.assignedAt },
    { label: "Started", at: run.startedAt },
    ...(run.cancelRequestedAt ? [{ label: "Cancel requested", at: run.cancelRequestedAt }] : []),
    { label: run.status === RunStatus.FINISHED ? `Finished: ${runState(run).label}` : "Finished", at: run.finishedAt },
  ];
  return (
    <section class="panel">
      <h2>Timeline</h2>
      <ol class="timeline" data-testid="timeline">
        {steps.map((step, i) => {
          const prev = steps[i - 1];
          const took = prev ? elapsedMs(prev.at, step.at) : undefined;
          return (
            <li key={step.label} class={`timeline-step ${step.at ? "done" : "pending"}`}>
              <span class="timeline-dot" aria-hidden="true" />
              <span class="timeline-label">{step.label}</span>
              <span class="timeline-time">{step.at ? formatDateTime(toDate(step.at)) : "—"}</span>
              {took !== undefined && <span class="timeline-took">+{formatDuration(took)}</span>}
            </li>
          );
        })}
      </ol>
      {run.attempts.length > 1 && (
        <div class="table-wrap">
          <table class="table table-compact">
            <thead>
              <tr>
                <th>Attempt</th>
                <th>Runner</th>
                <th>Started</th>
                <th>Result</th>
                <th>Reason</th>
              </tr>
            </thead>
            <tbody>
              {run.attempts.map((a) => (
                <tr key={a.attempt}>
                  <td>{a.attempt}</td>
                  <td>{a.runnerId ? a.runnerId.slice(0, 8) : "—"}</td>
                  <td>{formatDateTime(toDate(a.startedAt))}</td>
                  <td>{a.finishedAt ? runState({ status: RunStatus.FINISHED, result: a.result }).label : "—"}</td>
                  <td>{a.reason || "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
