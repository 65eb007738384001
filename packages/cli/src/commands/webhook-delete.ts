import type { CommandSpec } from "../cli/command-spec.js";
import { findWebhookByName } from "./webhook-lookup.js";

/** `tstrctl webhook delete NAME`: deletes the webhook and its delivery log; pending deliveries are dropped. */
export const webhookDeleteCommand: CommandSpec = {
  path: ["webhook", "delete"],
  summary: "Delete a webhook by name (with its delivery log)",
  synopsis: "webhook delete NAME",
  options: {},
  flagHelp: [],
  args: { min: 1, max: 1 },
  async run({ args, clients, target, io }) {
    const name = args[0] ?? "";
    const { namespace } = await target();
    const { control } = await clients();
    const webhook = await findWebhookByName(control, namespace, name);
    await control.deleteWebhook({ id: webhook.id, namespace });
    io.stdout(`webhook ${namespace}/${name} deleted\n`);
    return 0;
  },
};
