import type { CommandSpec } from "../cli/command-spec.js";
import { getRunner } from "./runner-get.js";

/**
 * `tstrctl runner delete ID|NAME`: removes a runner (admin). Its tokens stop working and the runs
 * it held go back to the queue for other runners.
 */
export const runnerDeleteCommand: CommandSpec = {
  path: ["runner", "delete"],
  summary: "Delete a runner by id or name; its runs go back to the queue (admin)",
  synopsis: "runner delete ID|NAME",
  description:
    "Deletes a runner and revokes the tokens bound to it; the runs it held are queued again for other " +
    "runners (a run being cancelled ends CANCELLED). A runner that is still running must register again.",
  options: {},
  flagHelp: [],
  args: { min: 1, max: 1 },
  async run({ args, clients, io }) {
    const api = await clients();
    const runner = (await getRunner(api.data, args[0] ?? "")).runner;
    if (!runner) throw new Error(`the server returned no runner for ${args[0]}`);
    await api.admin.deleteRunner({ id: runner.id });
    io.stdout(`runner ${runner.name} (${runner.id}) deleted\n`);
    return 0;
  },
};
