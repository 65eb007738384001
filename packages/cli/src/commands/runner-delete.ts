import type { CommandSpec } from "../cli/command-spec.js";
import { getRunner } from "./runner-get.js";

/**
 * `tstrctl runner delete ID|NAME`: removes a runner (admin). Its tokens stop working; runs it had
 * not started go back to the queue at once, started ones once their leases run out.
 */
export const runnerDeleteCommand: CommandSpec = {
  path: ["runner", "delete"],
  summary: "Delete a runner by id or name; its runs go back to the queue (admin)",
  synopsis: "runner delete ID|NAME",
  description:
    "Deletes a runner and revokes the tokens bound to it. Runs it was given but had not started are " +
    "queued again at once; runs it had started are re-queued (RUNNER_LOST, under their retry policy) " +
    "once their leases run out, since the runner may still be running them.",
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
