import { Code } from "@connectrpc/connect";
import { type ControlPlane, silentLogger, startControlPlane } from "@tstr/control-plane";
import { ControlService, Run_Result, WebhookEvent } from "@tstr/proto";
import { BadRequestSchema } from "@tstr/proto/grpc";
import { useTestDatabase } from "@tstr/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientOf, failure, transportFor } from "./support/clients.js";

// The webhook API against a real control plane and PostgreSQL: apply (create, update, keep the
// secret, concurrent first applies), validation naming every field, deletion and namespaces.
// Deliveries to real receivers are in webhooks.test.ts.

const database = useTestDatabase();
const SECRET = "whsec-e2e-0123456789abcdef";
let plane: ControlPlane;
let admin: string;

const control = (namespace?: string) => clientOf(ControlService, transportFor(plane.url, { token: admin, namespace }));
/** Webhook URLs; nothing is delivered in these tests (no run happens). */
const hook = (path: string) => `http://127.0.0.1:9${path}`;

async function applyWebhook(name: string, fields: { events: WebhookEvent[]; selector?: string }) {
  const { webhook } = await control().applyWebhook({
    webhook: {
      name,
      url: hook(`/hooks/${name}`),
      events: fields.events,
      testSelector: fields.selector ?? "",
      secret: SECRET,
    },
  });
  return webhook?.id ?? "";
}

beforeAll(async () => {
  plane = await startControlPlane(
    { db: database.db, logger: silentLogger },
    { host: "127.0.0.1", port: 0, cron: false, drainDelayMs: 0 },
  );
  admin = plane.bootstrapToken ?? "";
});
afterAll(() => plane?.stop());

describe("webhooks API", () => {
  it("applies, lists without the secret, updates keeping the secret, and deletes", async () => {
    const id = await applyWebhook("crud", { events: [WebhookEvent.RUN_FINISHED], selector: "tier=nothing" });
    const listed = (await control().listWebhooks({})).webhooks.find((w) => w.name === "crud");
    expect(listed).toMatchObject({ id, namespace: "default", secret: "", enabled: true, testSelector: "tier=nothing" });
    const { webhook } = await control().applyWebhook({
      webhook: { name: "crud", url: hook("/hooks/crud2"), events: [WebhookEvent.RUN_QUEUED], enabled: false },
    });
    expect(webhook).toMatchObject({ id, url: hook("/hooks/crud2"), enabled: false, secret: "" });
    // Leaving `enabled` out keeps it as it is (and a new webhook is enabled).
    const kept = await control().applyWebhook({
      webhook: { name: "crud", url: hook("/hooks/crud3"), events: [WebhookEvent.RUN_QUEUED] },
    });
    expect(kept.webhook?.enabled).toBe(false);
    const fresh = await control().applyWebhook({
      webhook: { name: "crud-new", url: hook("/hooks/new"), events: [WebhookEvent.RUN_QUEUED], secret: SECRET },
    });
    expect(fresh.webhook?.enabled).toBe(true);
    await control().deleteWebhook({ id: fresh.webhook?.id ?? "" });
    const { rows } = await database.db.pool.query("SELECT secret FROM webhooks WHERE id = $1", [id]);
    expect(rows[0].secret).toBe(SECRET);
    await control().deleteWebhook({ id });
    expect((await failure(control().deleteWebhook({ id }))).code).toBe(Code.NotFound);
    expect((await failure(control().listWebhookDeliveries({ webhookId: id }))).code).toBe(Code.NotFound);
  });

  it("lets concurrent first applies of one name all succeed, as one webhook", async () => {
    const apply = () =>
      control().applyWebhook({
        webhook: {
          name: "raced",
          url: hook("/hooks/raced"),
          events: [WebhookEvent.RUN_QUEUED],
          secret: SECRET,
        },
      });
    const results = await Promise.all(Array.from({ length: 6 }, apply));
    expect(new Set(results.map((r) => r.webhook?.id)).size).toBe(1);
    await control().deleteWebhook({ id: results[0]?.webhook?.id ?? "" });
  });

  it("refuses bad webhooks, naming every field", async () => {
    const error = await failure(
      control().applyWebhook({
        webhook: {
          name: "bad",
          url: "ftp://example.com/x",
          events: [WebhookEvent.RUN_FINISHED, WebhookEvent.UNSPECIFIED],
          testSelector: "tier in (a",
          results: [Run_Result.UNKNOWN],
          enabled: true,
        },
      }),
    );
    expect(error.code).toBe(Code.InvalidArgument);
    const fields = error.findDetails(BadRequestSchema).flatMap((d) => d.fieldViolations.map((v) => v.field));
    expect(fields).toEqual(["url", "events[1]", "results[0]", "test_selector", "secret"]);
    expect(error.rawMessage).toMatch(/url: must use http or https, not ftp/);
    expect(error.rawMessage).toMatch(/events\[1\]: unknown event WEBHOOK_EVENT_UNSPECIFIED/);
    expect(error.rawMessage).toMatch(/results\[0\]: unknown result UNKNOWN/);
    const noEvents = await failure(
      control().applyWebhook({ webhook: { name: "bad", url: "https://x.example", secret: SECRET } }),
    );
    expect(noEvents.rawMessage).toMatch(/events: name at least one event/);
    expect((await failure(control().listWebhookDeliveries({ webhookId: "nope" }))).rawMessage).toMatch(
      /webhook_id: "nope" is not a UUID/,
    );
  });

  it("keeps webhooks to their namespace", async () => {
    const id = await applyWebhook("mine", { events: [WebhookEvent.RUN_FINISHED], selector: "tier=nothing" });
    expect((await control("elsewhere").listWebhooks({})).webhooks).toEqual([]);
    const error = await failure(control("elsewhere").listWebhookDeliveries({ webhookId: id }));
    expect(error.code).toBe(Code.NotFound);
    await control().deleteWebhook({ id });
  });
});
