import type { Client } from "@connectrpc/connect";
import { type DataService, type Run, Run_Result, RunStatus } from "@tstr/proto";
import type { CliIo } from "../cli-io.js";
import { formatLabels } from "../output/format-values.js";
import { formatElapsed, formatOutcome, runDurationMs } from "../output/run-view.js";
import { renderTable } from "../output/table.js";
import { pollUntilAllFinished, type RunsWaitResult } from "./poll-runs.js";

/**
 * Waits for several runs (a matrix) without interleaving their logs: prints a progress line to
 * stderr as each finishes (`[2/4] run/<id> FAIL (EXIT_CODE_1) in 1.2s (os=windows)`), then a
 * summary table of all of them to stdout, also when the wait was stopped early.
 */
export async function waitForMatrix(
  data: Client<typeof DataService>,
  io: CliIo,
  runs: readonly Run[],
  signal: AbortSignal,
): Promise<RunsWaitResult> {
  const varying = varyingLabels(runs);
  let finished = 0;
  const result = await pollUntilAllFinished(data, runs, {
    signal,
    onFinished: (run) => {
      finished++;
      const labels = formatLabels(pick(run.labels, varying));
      io.stderr(`[${finished}/${runs.length}] run/${run.id} ${formatOutcome(run)}${labels ? ` (${labels})` : ""}\n`);
    },
  });
  io.stdout(
    renderTable(
      ["RUN", "LABELS", "RESULT", "REASON", "ATTEMPT", "DURATION"],
      result.runs.map((run) => summaryRow(run, varying)),
    ),
  );
  return result;
}

function summaryRow(run: Run, varying: readonly string[]): string[] {
  const finished = run.status === RunStatus.FINISHED;
  const elapsed = runDurationMs(run);
  return [
    run.id,
    formatLabels(pick(run.labels, varying)),
    finished ? (Run_Result[run.result] ?? "") : `(${RunStatus[run.status] ?? "UNKNOWN"})`,
    run.resultReason,
    run.attempt ? String(run.attempt) : "",
    elapsed === undefined ? "" : formatElapsed(elapsed),
  ];
}

/** The label keys whose values differ between runs (the matrix axes); all keys if none differ. */
function varyingLabels(runs: readonly Run[]): string[] {
  const keys = [...new Set(runs.flatMap((run) => Object.keys(run.labels)))].sort();
  const varying = keys.filter((key) => new Set(runs.map((run) => run.labels[key])).size > 1);
  return varying.length ? varying : keys;
}

function pick(labels: Readonly<Record<string, string>>, keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(keys.filter((key) => key in labels).map((key) => [key, labels[key] ?? ""]));
}
