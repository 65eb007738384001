import { Run_Result, RunStatus } from "@tstr/proto";
import type { CommandSpec } from "../cli/command-spec.js";

/**
 * `tstrctl run cancel RUN_ID`: a queued run ends at once; a running one is stopped by its runner
 * (SIGTERM, grace period, kill) and ends CANCELLED with its logs so far.
 */
export const runCancelCommand: CommandSpec = {
  path: ["run", "cancel"],
  summary: "Cancel a run",
  synopsis: "run cancel RUN_ID [--reason TEXT]",
  description: [
    "Cancels a run. A queued run is cancelled at once; a running one is stopped by its runner",
    "(SIGTERM, then a kill after the grace period) and ends CANCELLED with the output it had.",
  ].join("\n"),
  options: { reason: { type: "string" } },
  flagHelp: [["    --reason TEXT", "why, recorded with the run"]],
  args: { min: 1, max: 1 },
  async run({ args, flags, clients, io }) {
    const runId = args[0] ?? "";
    const { run } = await (await clients()).control.cancelRun({ runId, reason: flags.string("reason") ?? "" });
    const id = run?.id || runId;
    if (run?.status !== RunStatus.FINISHED) io.stdout(`run/${id} cancelling\n`);
    else if (run.result === Run_Result.CANCELLED) io.stdout(`run/${id} cancelled\n`);
    else io.stdout(`run/${id} already finished (${Run_Result[run.result]})\n`);
    return 0;
  },
};
