import type { Run } from "@tstr/proto";
import { elapsedMs, formatDuration } from "../format/duration.js";
import { runLabel } from "../format/status.js";
import { toDate } from "../format/time.js";
import { StatusBadge } from "./status-badge.js";
import { TimeText } from "./time-text.js";

/** A table of runs, newest first: status, number, test, trigger labels, start and duration. */
export function RunsTable({ runs, showTest = true }: { runs: Run[]; showTest?: boolean }) {
  return (
    <div class="table-wrap">
      <table class="table">
        <thead>
          <tr>
            <th>Status</th>
            <th>Run</th>
            {showTest && <th>Test</th>}
            <th class="hide-phone">Attempt</th>
            <th>Scheduled</th>
            <th>Duration</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr key={run.id} data-run-id={run.id}>
              <td>
                <StatusBadge run={run} />
              </td>
              <td>
                <a href={`#/runs/${run.id}`}>{runLabel(run)}</a>
                {run.resultReason && <span class="muted small"> {run.resultReason}</span>}
              </td>
              {showTest && (
                <td>
                  <a href={`#/tests/${run.testId}`}>{run.testName}</a>
                </td>
              )}
              <td class="hide-phone">
                {run.attempt}
                {run.maxAttempts > 1 ? ` / ${run.maxAttempts}` : ""}
              </td>
              <td>
                <TimeText date={toDate(run.scheduledAt)} />
              </td>
              <td class="num">{runDuration(run)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** How long a run took, or has been running so far. */
export function runDuration(run: Pick<Run, "startedAt" | "finishedAt">): string {
  if (!run.startedAt) return "—";
  const ms = elapsedMs(run.startedAt, run.finishedAt) ?? Date.now() - (toDate(run.startedAt)?.getTime() ?? Date.now());
  return formatDuration(ms);
}
