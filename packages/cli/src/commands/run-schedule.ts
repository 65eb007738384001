import { type Run, Run_Result, RunStatus, type ScheduleRunResponse } from "@tstr/proto";
import type { CommandContext, CommandSpec } from "../cli/command-spec.js";
import { parseLabelFlags } from "../cli/label-flags.js";
import { CliError, INTERRUPTED_EXIT_CODE, usageError } from "../cli-error.js";
import type { ApiClients } from "../client/api-clients.js";
import { describeError, isTransientCallError } from "../client/describe-error.js";
import { formatLabels } from "../output/format-values.js";
import { awaitMergedVerdicts } from "../runs/await-merged-verdict.js";
import { followRunToEnd } from "../runs/follow-run.js";
import { startWaitControl } from "../runs/wait-control.js";
import { waitForMatrix } from "../runs/wait-for-matrix.js";
import { namespaceFlag, parseWaitTimeout } from "../runs/wait-options.js";
import { testReference } from "./test-reference.js";

/**
 * `tstrctl run schedule TEST`: queues runs now. With --wait it follows them: one run's output is
 * streamed live and the exit code is the run's verdict; several runs (a matrix) are polled and
 * summarised. Stopping the wait (--timeout, Ctrl-C) never cancels the runs.
 */
export const runScheduleCommand: CommandSpec = {
  path: ["run", "schedule"],
  summary: "Run a test now, optionally waiting for its result",
  synopsis: "run schedule NAME|ID [-l KEY=VALUE…] [--wait [--timeout DURATION]]",
  description: [
    "Queues a run of a test (one per combination when the test has a matrix). A UUID is taken as the",
    "test's id, anything else as its name. With --wait, a single run's output is streamed live (its",
    "stdout to stdout, its stderr and tstr's notes to stderr) and the exit code is 0 only if it passes;",
    "several runs are waited for together and summarised, exit 0 only if all pass. Ending the wait",
    "(--timeout or Ctrl-C) leaves the runs going.",
  ].join("\n"),
  options: {
    label: { type: "string", short: "l", multiple: true },
    wait: { type: "boolean", short: "w" },
    timeout: { type: "string" },
  },
  flagHelp: [
    ["-l, --label KEY=VALUE", "a label laid over the test's labels for these runs; repeatable"],
    ["-w, --wait", "follow the run(s) until they finish; exit 0 only if all pass"],
    ["    --timeout DURATION", 'with --wait: stop waiting after this long, e.g. "10m" (exit 1)'],
  ],
  args: { min: 1, max: 1 },
  async run(context) {
    const { flags, usage, clients, io, args } = context;
    const labels = parseLabelFlags(flags.strings("label"), usage);
    const wait = flags.boolean("wait");
    const timeoutText = flags.string("timeout");
    if (timeoutText !== undefined && !wait) throw usageError("--timeout needs --wait", usage);
    const timeout =
      timeoutText === undefined ? undefined : { text: timeoutText, ms: parseWaitTimeout(timeoutText, usage) };
    const reference = testReference(args[0] ?? "");
    const { control, data } = await clients();
    const response = await control.scheduleRun({ testId: reference.id, testName: reference.name, labels });
    const runs = response.runs;
    if (runs.length === 0) {
      throw new CliError(`no run was scheduled: ${response.skippedReason || "the server created none"}`);
    }
    const say = (line: string) => (wait ? io.stderr(line) : io.stdout(line));
    if (runs.length > 1) say(`matrix/${response.matrixId || "-"}: ${runs.length} runs\n`);
    for (const run of runs) say(`${describeQueued(run)}\n`);
    return wait ? waitForScheduled(context, data, response, timeout) : 0;
  },
};

/**
 * Follows what ScheduleRun created: one run live, several by polling. Returns the exit code; a
 * wait stopped by --timeout or Ctrl-C, or cut off from the server, is an error with a hint to resume.
 */
async function waitForScheduled(
  context: CommandContext,
  data: ApiClients["data"],
  response: ScheduleRunResponse,
  timeout: { text: string; ms: number } | undefined,
): Promise<number> {
  const { io } = context;
  const runs = response.runs;
  const waiting = startWaitControl(io, timeout?.ms);
  const hint =
    runs.length === 1
      ? `follow it again with: tstrctl${namespaceFlag(context)} logs ${runs[0]?.id} -f`
      : `check on them with: tstrctl${namespaceFlag(context)} run list --matrix ${response.matrixId}`;
  const stopped = (stillGoing: string) =>
    waiting.stopReason === "timeout"
      ? new CliError(`stopped waiting after ${timeout?.text} (--timeout); ${stillGoing}`, { hint })
      : new CliError(`stopped waiting; ${stillGoing}`, { hint, exitCode: INTERRUPTED_EXIT_CODE });
  try {
    if (runs.length === 1) {
      const run = runs[0] as Run;
      const finished = await followRunToEnd(data, io, run.id, waiting.signal);
      if (!finished) throw stopped(`run ${run.id} keeps going`);
      return finished.result === Run_Result.PASS ? 0 : 1;
    }
    const result = await waitForMatrix(data, io, runs, waiting.signal);
    const unfinished = result.runs.filter((run) => run.status !== RunStatus.FINISHED).length;
    if (result.stopped) throw stopped(`${unfinished} of ${runs.length} runs keep going`);
    // Shards of a distributed k6 run get their final verdict from the server's merge.
    const final = await awaitMergedVerdicts(data, result.runs, waiting.signal);
    const passed = final.filter((run) => run.result === Run_Result.PASS).length;
    const group = runs[0]?.shardCount && runs[0].shardCount > 1 ? `k6 run ${runs[0].shardGroupId}` : undefined;
    io.stderr(`${group ?? `matrix ${response.matrixId}`}: ${passed} of ${runs.length} runs passed\n`);
    return passed === runs.length ? 0 : 1;
  } catch (error) {
    if (error instanceof CliError || !isTransientCallError(error)) throw error;
    throw new CliError(`lost contact while waiting (the runs keep going): ${describeError(error).message}`, { hint });
  } finally {
    waiting.dispose();
  }
}

function describeQueued(run: Run): string {
  const labels = formatLabels(run.labels);
  const status = run.status === RunStatus.UNSPECIFIED ? "queued" : (RunStatus[run.status] ?? "").toLowerCase();
  return `run/${run.id} ${status}${labels ? ` (${labels})` : ""}`;
}
