import { create } from "@bufbuild/protobuf";
import { durationMs } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { isUuid, ValidationError } from "@tstr/domain";
import {
  ApplyWebhookResponseSchema,
  type ControlService,
  DeleteWebhookResponseSchema,
  ListWebhookDeliveriesResponseSchema,
  ListWebhooksResponseSchema,
} from "@tstr/proto";
import { mapErrors } from "../errors.js";
import { callScope } from "../services/call-context.js";
import { DEFAULT_DELIVERY_LIMIT, MAX_DELIVERY_LIMIT, type WebhookCatalog } from "./webhook-catalog.js";
import { webhookDeliveryToProto, webhookDraftFromProto, webhookToProto } from "./webhook-mapping.js";

/**
 * ControlService handlers for webhooks, in the call's namespace (request field, else the
 * `namespace` header). The secret is accepted on apply and never returned.
 */
export function createWebhookHandlers(deps: {
  catalog: WebhookCatalog;
}): Pick<
  ServiceImpl<typeof ControlService>,
  "applyWebhook" | "deleteWebhook" | "listWebhooks" | "listWebhookDeliveries"
> {
  const { catalog } = deps;
  return {
    applyWebhook: (req, context) =>
      mapErrors(async () => {
        if (!req.webhook) throw new ValidationError([{ path: "webhook", message: "required" }]);
        const { namespace } = callScope(context, req.webhook.namespace);
        const record = await catalog.apply(webhookDraftFromProto(req.webhook, namespace), req.webhook.secret);
        return create(ApplyWebhookResponseSchema, { webhook: webhookToProto(record) });
      }),

    deleteWebhook: (req, context) =>
      mapErrors(async () => {
        const { namespace } = callScope(context, req.namespace);
        await catalog.remove(await catalog.find(namespace, requireUuid(req.id, "id")));
        return create(DeleteWebhookResponseSchema);
      }),

    listWebhooks: (req, context) =>
      mapErrors(async () => {
        const { namespace } = callScope(context, req.namespace);
        const webhooks = await catalog.list(namespace);
        return create(ListWebhooksResponseSchema, { webhooks: webhooks.map(webhookToProto) });
      }),

    listWebhookDeliveries: (req, context) =>
      mapErrors(async () => {
        const { namespace } = callScope(context, req.namespace);
        const webhook = await catalog.find(namespace, requireUuid(req.webhookId, "webhook_id"));
        if (req.limit > MAX_DELIVERY_LIMIT) {
          throw new ValidationError([{ path: "limit", message: `must be at most ${MAX_DELIVERY_LIMIT}` }]);
        }
        const withinMs = req.within ? durationMs(req.within) : undefined;
        if (withinMs !== undefined && withinMs <= 0) {
          throw new ValidationError([{ path: "within", message: "must be longer than zero" }]);
        }
        const deliveries = await catalog.deliveries(webhook, { limit: req.limit || DEFAULT_DELIVERY_LIMIT, withinMs });
        return create(ListWebhookDeliveriesResponseSchema, { deliveries: deliveries.map(webhookDeliveryToProto) });
      }),
  };
}

function requireUuid(value: string, path: string): string {
  if (!value) throw new ValidationError([{ path, message: "required" }]);
  if (!isUuid(value)) throw new ValidationError([{ path, message: `"${value}" is not a UUID` }]);
  return value;
}
