import type { CommandSpec } from "../cli/command-spec.js";
import { testReference } from "./test-reference.js";

/** `tstrctl test delete NAME|ID`: removes the definition; past runs stay in history. */
export const testDeleteCommand: CommandSpec = {
  path: ["test", "delete"],
  summary: "Delete a test by name or id",
  synopsis: "test delete NAME|ID",
  description: "Deletes a test. An argument that is a UUID is taken as the test's id, anything else as its name.",
  options: {},
  flagHelp: [],
  args: { min: 1, max: 1 },
  async run({ args, clients, target, io }) {
    const argument = args[0] ?? "";
    const { namespace } = await target();
    await (await clients()).control.deleteTest(testReference(argument));
    io.stdout(`test/${namespace}/${argument} deleted\n`);
    return 0;
  },
};
