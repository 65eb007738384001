import type { CommandSpec } from "../cli/command-spec.js";
import { suiteReference } from "./suite-reference.js";

/** `tstrctl suite delete NAME|ID`: removes the suite; its tests and past suite runs stay. */
export const suiteDeleteCommand: CommandSpec = {
  path: ["suite", "delete"],
  summary: "Delete a suite by name or id (its tests stay)",
  synopsis: "suite delete NAME|ID",
  options: {},
  flagHelp: [],
  args: { min: 1, max: 1 },
  async run({ args, clients, target, io }) {
    const argument = args[0] ?? "";
    const { namespace } = await target();
    await (await clients()).control.deleteSuite({ ...suiteReference(argument), namespace });
    io.stdout(`suite/${namespace}/${argument} deleted\n`);
    return 0;
  },
};
