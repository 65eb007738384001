import type { Client } from "@connectrpc/connect";
import type { ControlService, Webhook } from "@tstr/proto";
import { CliError } from "../cli-error.js";

/** The namespace's webhook called `name` (the API addresses webhooks by id). */
export async function findWebhookByName(
  control: Client<typeof ControlService>,
  namespace: string,
  name: string,
): Promise<Webhook> {
  const { webhooks } = await control.listWebhooks({ namespace });
  const webhook = webhooks.find((w) => w.name === name);
  if (!webhook) {
    throw new CliError(`webhook ${JSON.stringify(name)} not found in namespace "${namespace}"`, {
      hint: "list them with `tstrctl webhook list`",
    });
  }
  return webhook;
}
