import type { CommandSpec } from "../cli/command-spec.js";

/**
 * `tstrctl executor delete NAME`: deletes the executor the namespace sees under that name — its
 * own, else the global one (which needs an admin token). Built-in executors cannot be deleted.
 */
export const executorDeleteCommand: CommandSpec = {
  path: ["executor", "delete"],
  summary: "Delete an executor by name (a global one needs an admin token)",
  synopsis: "executor delete NAME",
  options: {},
  flagHelp: [],
  args: { min: 1, max: 1 },
  async run({ args, clients, target, io }) {
    const name = args[0] ?? "";
    const { namespace } = await target();
    await (await clients()).control.deleteExecutor({ name, namespace });
    io.stdout(`executor ${name} deleted\n`);
    return 0;
  },
};
