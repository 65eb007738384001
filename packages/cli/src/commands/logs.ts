import { RunStatus } from "@tstr/proto";
import type { CommandSpec } from "../cli/command-spec.js";
import { CliError, INTERRUPTED_EXIT_CODE, usageError } from "../cli-error.js";
import { reconnectNote } from "../runs/follow-run.js";
import { followLogs } from "../runs/log-follower.js";
import { createLogSink } from "../runs/log-sink.js";
import { startWaitControl } from "../runs/wait-control.js";

/**
 * `tstrctl logs RUN_ID [-f]`: a run's output, stdout to stdout and stderr (with tstr's notes) to
 * stderr. With -f it keeps printing live output until the run finishes, resuming a dropped stream
 * where it left off; Ctrl-C stops reading and leaves the run alone.
 */
export const logsCommand: CommandSpec = {
  path: ["logs"],
  summary: "Print a run's output (-f: follow it live)",
  synopsis: "logs RUN_ID [-f] [--attempt N]",
  description: [
    "Prints the output of a run: its stdout to stdout, its stderr and tstr's notes to stderr, byte for",
    "byte. Without -f it prints what is stored and exits; with -f it follows live output until the",
    "run finishes. Output of every attempt is shown unless --attempt picks one.",
  ].join("\n"),
  options: { follow: { type: "boolean", short: "f" }, attempt: { type: "string" } },
  flagHelp: [
    ["-f, --follow", "keep printing live output until the run finishes"],
    ["    --attempt N", "only the output of attempt N (1 is the first)"],
  ],
  args: { min: 1, max: 1 },
  async run({ args, flags, usage, clients, io }) {
    const runId = args[0] ?? "";
    const attemptText = flags.string("attempt");
    const attempt = attemptText === undefined ? undefined : parseAttempt(attemptText, usage);
    const follow = flags.boolean("follow");
    const { data } = await clients();
    const { run } = await data.getRun({ id: runId });
    if (attempt !== undefined && run?.status === RunStatus.FINISHED && attempt > run.attempt) {
      throw new CliError(`run ${runId} has no attempt ${attempt} (it ran ${run.attempt})`);
    }
    const waiting = startWaitControl(io);
    const sink = createLogSink(io);
    try {
      const outcome = await followLogs(data, {
        runId,
        follow,
        signal: waiting.signal,
        ...(attempt === undefined ? {} : { attempt }),
        onChunk: (chunk) => sink.write(chunk),
        onReconnect: (error, delayMs) => sink.note(reconnectNote(error, delayMs)),
      });
      if (outcome.kind !== "stopped") return 0;
      sink.note("");
      return INTERRUPTED_EXIT_CODE;
    } finally {
      sink.finish();
      waiting.dispose();
    }
  },
};

function parseAttempt(text: string, usage: string): number {
  if (!/^[1-9]\d{0,8}$/.test(text))
    throw usageError(`--attempt ${JSON.stringify(text)}: expected a number from 1`, usage);
  return Number(text);
}
