import type { CommandSpec } from "../cli/command-spec.js";
import { CliError } from "../cli-error.js";
import { formatTimestamp } from "../output/format-values.js";
import { testReference } from "./test-reference.js";

/** `tstrctl test pause|resume NAME|ID`: stops or restarts a test's cron schedule. */
function scheduleToggle(paused: boolean): CommandSpec {
  const verb = paused ? "pause" : "resume";
  return {
    path: ["test", verb],
    summary: paused ? "Pause a test's cron schedule" : "Resume a test's paused cron schedule",
    synopsis: `test ${verb} NAME|ID`,
    description: paused
      ? "Stops creating cron runs for the test until it is resumed. Runs already queued or running are not touched."
      : "Creates cron runs again from the next tick after now; ticks missed while paused are not made up.",
    options: {},
    flagHelp: [],
    args: { min: 1, max: 1 },
    async run({ args, clients, target, io }) {
      const argument = args[0] ?? "";
      const { namespace } = await target();
      const api = await clients();
      const current = await api.data.getTest(testReference(argument));
      if (!current.test?.cronSchedule) {
        throw new CliError(`test ${namespace}/${argument} has no cron schedule; set cron_schedule in its definition`);
      }
      // UpdateTest addresses the test by id: its `name` field is a new name.
      const { test } = await api.control.updateTest({
        id: current.test.id,
        schedulePaused: paused,
        fieldMask: { paths: ["schedule_paused"] },
      });
      const next = test?.nextRunAt ? ` (next run ${formatTimestamp(test.nextRunAt)})` : "";
      io.stdout(`test/${namespace}/${test?.name ?? argument} schedule ${paused ? "paused" : `resumed${next}`}\n`);
      return 0;
    },
  };
}

export const testPauseCommand = scheduleToggle(true);
export const testResumeCommand = scheduleToggle(false);
