import {
  AlreadyExistsError,
  type WebhookDeliveriesRepository,
  type WebhookDeliveryRecord,
  type WebhookRecord,
  type WebhooksRepository,
} from "@tstr/db";
import { ValidationError, validateWebhook, type WebhookDraft, webhookSpecOf } from "@tstr/domain";
import { NotFoundError } from "../errors.js";

/** Deliveries ListWebhookDeliveries returns without a limit, and at most. */
export const DEFAULT_DELIVERY_LIMIT = 50;
export const MAX_DELIVERY_LIMIT = 1000;

/** Declaring, finding and listing webhooks of a namespace, and reading their delivery log. */
export interface WebhookCatalog {
  /**
   * Creates the webhook, or updates the namespace's webhook of that name. A new webhook needs a
   * secret; an update keeps the stored one when `secret` is empty.
   */
  apply(draft: WebhookDraft, secret: string): Promise<WebhookRecord>;
  /** The namespace's webhook with this id; NotFoundError otherwise. */
  find(namespace: string, id: string): Promise<WebhookRecord>;
  list(namespace: string): Promise<WebhookRecord[]>;
  remove(record: WebhookRecord): Promise<void>;
  /** The webhook's deliveries, newest first, created within `withinMs` when given. */
  deliveries(record: WebhookRecord, query: { limit: number; withinMs?: number }): Promise<WebhookDeliveryRecord[]>;
}

/** Creates the catalog over the repositories. */
export function createWebhookCatalog(deps: {
  webhooks: WebhooksRepository;
  deliveries: WebhookDeliveriesRepository;
  now: () => Date;
}): WebhookCatalog {
  const { webhooks, deliveries, now } = deps;
  return {
    async apply(draft, secret) {
      const write = async () => {
        const existing = draft.name ? await webhooks.getByName(draft.namespace, draft.name) : undefined;
        const violations = validateWebhook(draft, secret, existing === undefined);
        if (violations.length) throw new ValidationError(violations);
        const spec = webhookSpecOf({ ...draft, enabled: draft.enabled ?? existing?.spec.enabled ?? true });
        return existing ? webhooks.update(existing.id, spec, secret || undefined) : webhooks.create(spec, secret);
      };
      // Two first applies of one name race to create it: the loser updates what the winner made.
      return write().catch((error: unknown) => {
        if (error instanceof AlreadyExistsError) return write();
        throw error;
      });
    },

    async find(namespace, id) {
      const record = await webhooks.getById(id);
      if (!record || record.spec.namespace !== namespace) {
        throw new NotFoundError(`webhook "${id}" not found in namespace "${namespace}"`);
      }
      return record;
    },

    list: (namespace) => webhooks.list(namespace),

    async remove(record) {
      await webhooks.remove(record.id);
    },

    async deliveries(record, query) {
      const since = query.withinMs === undefined ? undefined : new Date(now().getTime() - query.withinMs);
      return deliveries.list(record.id, { limit: query.limit, since });
    },
  };
}
