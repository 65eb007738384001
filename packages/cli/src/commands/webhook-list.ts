import { ListWebhooksResponseSchema } from "@tstr/proto";
import type { CommandSpec } from "../cli/command-spec.js";
import { renderMessage } from "../output/output-format.js";
import { renderTable } from "../output/table.js";
import { WEBHOOK_COLUMNS, webhookRow } from "../output/webhook-view.js";

/** `tstrctl webhook list`: the namespace's webhooks (secrets are never shown: the server keeps them). */
export const webhookListCommand: CommandSpec = {
  path: ["webhook", "list"],
  summary: "List the webhooks of the namespace",
  synopsis: "webhook list [-o table|json|yaml]",
  options: {},
  flagHelp: [],
  output: true,
  args: { min: 0, max: 0 },
  async run({ clients, target, output, io }) {
    const { namespace } = await target();
    const response = await (await clients()).control.listWebhooks({ namespace });
    if (output !== "table") io.stdout(renderMessage(ListWebhooksResponseSchema, response, output));
    else if (response.webhooks.length === 0) io.stderr(`no webhooks found in namespace "${namespace}"\n`);
    else io.stdout(renderTable(WEBHOOK_COLUMNS, response.webhooks.map(webhookRow)));
    return 0;
  },
};
