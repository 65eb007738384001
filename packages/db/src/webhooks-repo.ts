import { isUuid, isWebhookEvent, RUN_RESULTS, type RunResult, type WebhookSpec } from "@tstr/domain";
import type { Database } from "./client.js";
import { AlreadyExistsError, isUniqueViolation, NotFoundError } from "./errors.js";
import type { Webhook } from "./generated/prisma/client.js";

/** A stored webhook. The secret is never read back, except by the sender (see claimDueDeliveries). */
export interface WebhookRecord {
  id: string;
  spec: WebhookSpec;
  createdAt: Date;
  updatedAt: Date;
}

/** Stored webhooks, one name per namespace. */
export interface WebhooksRepository {
  /** Stores a webhook; AlreadyExistsError if its namespace has one of that name. */
  create(spec: WebhookSpec, secret: string): Promise<WebhookRecord>;
  /** Replaces a webhook's spec, and its secret when one is given; NotFoundError if it is gone. */
  update(id: string, spec: WebhookSpec, secret?: string): Promise<WebhookRecord>;
  getByName(namespace: string, name: string): Promise<WebhookRecord | undefined>;
  getById(id: string): Promise<WebhookRecord | undefined>;
  /** The namespace's webhooks by name. */
  list(namespace: string): Promise<WebhookRecord[]>;
  /** Deletes a webhook and its delivery log; false if it did not exist. */
  remove(id: string): Promise<boolean>;
}

/** Builds the webhooks repository over a database. */
export function createWebhooksRepository(db: Database): WebhooksRepository {
  const { prisma } = db;
  return {
    async create(spec, secret) {
      try {
        return webhookFromRow(await prisma.webhook.create({ data: { ...columnsOf(spec), secret } }));
      } catch (error) {
        throw isUniqueViolation(error) ? new AlreadyExistsError("webhook", `${spec.namespace}/${spec.name}`) : error;
      }
    },

    async update(id, spec, secret) {
      if (!isUuid(id)) throw new NotFoundError("webhook", id);
      try {
        const { count } = await prisma.webhook.updateMany({
          where: { id },
          data: { ...columnsOf(spec), ...(secret ? { secret } : {}), updatedAt: new Date() },
        });
        const row = count > 0 ? await prisma.webhook.findUnique({ where: { id } }) : null;
        if (!row) throw new NotFoundError("webhook", id);
        return webhookFromRow(row);
      } catch (error) {
        throw isUniqueViolation(error) ? new AlreadyExistsError("webhook", `${spec.namespace}/${spec.name}`) : error;
      }
    },

    async getByName(namespace, name) {
      const row = await prisma.webhook.findUnique({ where: { namespace_name: { namespace, name } } });
      return row ? webhookFromRow(row) : undefined;
    },

    async getById(id) {
      if (!isUuid(id)) return undefined;
      const row = await prisma.webhook.findUnique({ where: { id } });
      return row ? webhookFromRow(row) : undefined;
    },

    async list(namespace) {
      const rows = await prisma.webhook.findMany({ where: { namespace }, orderBy: [{ name: "asc" }] });
      return rows.map(webhookFromRow);
    },

    async remove(id) {
      if (!isUuid(id)) return false;
      const { count } = await prisma.webhook.deleteMany({ where: { id } });
      return count > 0;
    },
  };
}

function columnsOf(spec: WebhookSpec) {
  return {
    namespace: spec.namespace,
    name: spec.name,
    url: spec.url,
    events: spec.events,
    testSelector: spec.testSelector,
    results: spec.results,
    enabled: spec.enabled,
  };
}

/** Maps a `webhooks` row to a record without its secret; unknown stored names are dropped. */
function webhookFromRow(row: Webhook): WebhookRecord {
  return {
    id: row.id,
    spec: {
      namespace: row.namespace,
      name: row.name,
      url: row.url,
      events: (row.events ?? []).filter(isWebhookEvent),
      testSelector: row.testSelector,
      results: (row.results ?? []).filter((r): r is RunResult => (RUN_RESULTS as readonly string[]).includes(r)),
      enabled: row.enabled,
    },
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
