import type { Client } from "@connectrpc/connect";
import { convertDuration } from "@tstr/definitions";
import { type DataService, ListWebhookDeliveriesResponseSchema } from "@tstr/proto";
import type { CommandSpec } from "../cli/command-spec.js";
import { usageError } from "../cli-error.js";
import { renderMessage } from "../output/output-format.js";
import { renderTable } from "../output/table.js";
import { DELIVERY_COLUMNS, deliveryRow } from "../output/webhook-view.js";
import { findWebhookByName } from "./webhook-lookup.js";

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1000;
const NANOS_PER_SECOND = 1_000_000_000n;

/**
 * `tstrctl webhook deliveries NAME`: the webhook's delivery log, newest first — what was sent,
 * how many attempts it took, the last answer or error, and when it was delivered or is retried.
 */
export const webhookDeliveriesCommand: CommandSpec = {
  path: ["webhook", "deliveries"],
  summary: "Show a webhook's delivery log, newest first",
  synopsis: "webhook deliveries NAME [--limit N] [--within DURATION] [-o table|json|yaml]",
  options: { limit: { type: "string" }, within: { type: "string" } },
  flagHelp: [
    ["    --limit N", `at most N deliveries (default ${DEFAULT_LIMIT}, at most ${MAX_LIMIT})`],
    ["    --within DURATION", 'only deliveries created this recently, e.g. "1h"'],
  ],
  output: true,
  args: { min: 1, max: 1 },
  async run({ args, flags, usage, clients, target, output, io }) {
    const name = args[0] ?? "";
    const limit = parseLimit(flags.string("limit"), usage);
    const within = parseWithin(flags.string("within"), usage);
    const { namespace } = await target();
    const { control, data } = await clients();
    const webhook = await findWebhookByName(control, namespace, name);
    const response = await control.listWebhookDeliveries({ webhookId: webhook.id, namespace, limit, within });
    if (output !== "table") io.stdout(renderMessage(ListWebhookDeliveriesResponseSchema, response, output));
    else if (response.deliveries.length === 0) io.stderr(`no deliveries of webhook ${namespace}/${name} yet\n`);
    else {
      const names = await lookUpTestNames(
        data,
        namespace,
        response.deliveries.map((d) => d.testId),
      );
      io.stdout(
        renderTable(
          DELIVERY_COLUMNS,
          response.deliveries.map((d) => deliveryRow(d, names)),
        ),
      );
    }
    return 0;
  },
};

function parseLimit(text: string | undefined, usage: string): number {
  if (text === undefined) return DEFAULT_LIMIT;
  if (!/^[1-9]\d{0,6}$/.test(text) || Number(text) > MAX_LIMIT) {
    throw usageError(`--limit ${JSON.stringify(text)}: expected a number from 1 to ${MAX_LIMIT}`, usage);
  }
  return Number(text);
}

function parseWithin(text: string | undefined, usage: string) {
  if (text === undefined) return undefined;
  const converted = convertDuration(text);
  if (!converted.ok) throw usageError(`--within: ${converted.message}`, usage);
  if (converted.nanos <= 0n) throw usageError("--within: must be longer than zero", usage);
  return { seconds: converted.nanos / NANOS_PER_SECOND, nanos: Number(converted.nanos % NANOS_PER_SECOND) };
}

/** Test names by id, best effort (a token without data:read still gets the ids). */
async function lookUpTestNames(
  data: Client<typeof DataService>,
  namespace: string,
  ids: readonly string[],
): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter(Boolean))];
  if (wanted.length === 0) return new Map();
  try {
    const { tests } = await data.queryTests({ ids: wanted, namespace, pageSize: wanted.length });
    return new Map(tests.map((test) => [test.id, test.name]));
  } catch {
    return new Map();
  }
}
