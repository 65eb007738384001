import { RunStatus, SuiteRunStatus } from "@tstr/proto";
import type { CommandSpec } from "../cli/command-spec.js";
import { parseLabelFlags } from "../cli/label-flags.js";
import { CliError, INTERRUPTED_EXIT_CODE, usageError } from "../cli-error.js";
import { describeError, isTransientCallError } from "../client/describe-error.js";
import { formatCounts, suiteRunStatus } from "../output/suite-view.js";
import { startWaitControl } from "../runs/wait-control.js";
import { waitForMatrix } from "../runs/wait-for-matrix.js";
import { namespaceFlag, parseWaitTimeout } from "../runs/wait-options.js";
import { suiteReference } from "./suite-reference.js";

/**
 * `tstrctl suite run NAME`: schedules every member of a suite as one suite run. With --wait it
 * prints a line as each run finishes, a summary table, and the suite run's verdict; the exit code
 * is 0 only when the suite run PASSED. Ending the wait never cancels the runs.
 */
export const suiteRunCommand: CommandSpec = {
  path: ["suite", "run"],
  summary: "Run every test of a suite now, optionally waiting for the verdict",
  synopsis: "suite run NAME|ID [-l KEY=VALUE…] [--wait [--timeout DURATION]]",
  description: [
    "Creates a suite run: one run per member test (one per combination for matrix tests), with the",
    "labels given laid over each test's labels. With --wait, prints each run's outcome as it finishes",
    "and exits 0 only if the suite run passed.",
  ].join("\n"),
  options: {
    label: { type: "string", short: "l", multiple: true },
    wait: { type: "boolean", short: "w" },
    timeout: { type: "string" },
  },
  flagHelp: [
    ["-l, --label KEY=VALUE", "a label laid over every member's labels for these runs; repeatable"],
    ["-w, --wait", "wait until every run finished; exit 0 only if the suite run passed"],
    ["    --timeout DURATION", 'with --wait: stop waiting after this long, e.g. "30m" (exit 1)'],
  ],
  args: { min: 1, max: 1 },
  async run(context) {
    const { flags, usage, clients, target, io, args } = context;
    const labels = parseLabelFlags(flags.strings("label"), usage);
    const wait = flags.boolean("wait");
    const timeoutText = flags.string("timeout");
    if (timeoutText !== undefined && !wait) throw usageError("--timeout needs --wait", usage);
    const timeoutMs = timeoutText === undefined ? undefined : parseWaitTimeout(timeoutText, usage);
    const { namespace } = await target();
    const { control, data } = await clients();
    const reference = suiteReference(args[0] ?? "");
    const response = await control.runSuite({
      suiteId: reference.id,
      suiteName: reference.name,
      namespace,
      labels,
    });
    const suiteRun = response.suiteRun;
    const say = (line: string) => (wait ? io.stderr(line) : io.stdout(line));
    say(`suite-run/${suiteRun?.id ?? "-"}: ${response.runs.length} runs\n`);
    for (const run of response.runs) say(`run/${run.id} ${run.testName} queued\n`);
    if (!wait) return 0;
    if (response.runs.length === 0) {
      throw new CliError("the suite run has no runs: every member was skipped by its concurrency policy");
    }
    const hint = `check on it with: tstrctl${namespaceFlag(context)} suite get ${args[0]}`;
    const waiting = startWaitControl(io, timeoutMs);
    try {
      const result = await waitForMatrix(data, io, response.runs, waiting.signal);
      if (result.stopped) {
        const going = result.runs.filter((run) => run.status !== RunStatus.FINISHED).length;
        const message = `${going} of ${response.runs.length} runs keep going`;
        throw waiting.stopReason === "timeout"
          ? new CliError(`stopped waiting after ${timeoutText} (--timeout); ${message}`, { hint })
          : new CliError(`stopped waiting; ${message}`, { hint, exitCode: INTERRUPTED_EXIT_CODE });
      }
      const final = (await data.getSuiteRun({ id: suiteRun?.id ?? "", namespace })).suiteRun;
      if (!final) throw new CliError(`suite run ${suiteRun?.id} vanished while waiting`);
      io.stderr(`suite-run/${final.id} ${suiteRunStatus(final)}: ${formatCounts(final)}\n`);
      return final.status === SuiteRunStatus.PASSED ? 0 : 1;
    } catch (error) {
      if (error instanceof CliError || !isTransientCallError(error)) throw error;
      throw new CliError(`lost contact while waiting (the runs keep going): ${describeError(error).message}`, { hint });
    } finally {
      waiting.dispose();
    }
  },
};
