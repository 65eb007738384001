import type { WebhookSpec } from "@tstr/domain";
import { useTestDatabase } from "@tstr/testing";
import { describe, expect, it } from "vitest";
import { AlreadyExistsError, NotFoundError } from "./errors.js";
import { createWebhooksRepository } from "./webhooks-repo.js";

const t = useTestDatabase();
const repo = () => createWebhooksRepository(t.db);

function spec(namespace: string, name: string, overrides: Partial<WebhookSpec> = {}): WebhookSpec {
  return {
    namespace,
    name,
    url: "https://hooks.example.com/tstr",
    events: ["run.finished"],
    testSelector: "",
    results: [],
    enabled: true,
    ...overrides,
  };
}

async function storedSecret(id: string): Promise<string> {
  const { rows } = await t.db.pool.query("SELECT secret FROM webhooks WHERE id = $1", [id]);
  return rows[0]?.secret;
}

describe("webhooks repository", () => {
  it("round-trips a webhook without ever returning its secret", async () => {
    const full = spec("rt", "all", {
      events: ["run.queued", "test.became_failing"],
      testSelector: "tier=example",
      results: ["FAIL", "ERROR"],
      enabled: false,
    });
    const created = await repo().create(full, "secret-one-secret-one");
    expect(created.spec).toEqual(full);
    expect(Object.keys(created).sort()).toEqual(["createdAt", "id", "spec", "updatedAt"]);
    expect(JSON.stringify(created)).not.toContain("secret-one");
    expect(await repo().getById(created.id)).toEqual(created);
    expect(await repo().getByName("rt", "all")).toEqual(created);
    expect(await storedSecret(created.id)).toBe("secret-one-secret-one");
  });

  it("refuses a second webhook of the same name in a namespace, not in another", async () => {
    await repo().create(spec("dup", "same"), "s".repeat(16));
    await expect(repo().create(spec("dup", "same"), "s".repeat(16))).rejects.toBeInstanceOf(AlreadyExistsError);
    await expect(repo().create(spec("dup-2", "same"), "s".repeat(16))).resolves.toBeDefined();
  });

  it("updates the spec, keeping the secret unless a new one is given", async () => {
    const created = await repo().create(spec("upd", "h"), "first-secret-first");
    const changed = await repo().update(created.id, spec("upd", "h", { url: "http://127.0.0.1:9/x", enabled: false }));
    expect(changed.spec).toMatchObject({ url: "http://127.0.0.1:9/x", enabled: false });
    expect(await storedSecret(created.id)).toBe("first-secret-first");
    await repo().update(created.id, spec("upd", "h"), "second-secret-second");
    expect(await storedSecret(created.id)).toBe("second-secret-second");
    await expect(repo().update("not-a-uuid", spec("upd", "h"))).rejects.toBeInstanceOf(NotFoundError);
  });

  it("lists a namespace's webhooks by name and deletes one with its deliveries", async () => {
    const b = await repo().create(spec("list", "b"), "s".repeat(16));
    await repo().create(spec("list", "a"), "s".repeat(16));
    await repo().create(spec("list-other", "c"), "s".repeat(16));
    expect((await repo().list("list")).map((w) => w.spec.name)).toEqual(["a", "b"]);
    const run = await t.db.prisma.run.create({
      data: { namespace: "list", testName: "x", runConfig: {}, trigger: "manual" },
    });
    await t.db.pool.query(
      "INSERT INTO webhook_deliveries (webhook_id, event, run_id, payload) VALUES ($1, 'run.queued', $2, '{}')",
      [b.id, run.id],
    );
    expect(await repo().remove(b.id)).toBe(true);
    expect(await repo().remove(b.id)).toBe(false);
    expect(await repo().remove("nope")).toBe(false);
    const { rows } = await t.db.pool.query("SELECT count(*)::int AS n FROM webhook_deliveries WHERE webhook_id = $1", [
      b.id,
    ]);
    expect(rows[0].n).toBe(0);
    expect((await repo().list("list")).map((w) => w.spec.name)).toEqual(["a"]);
  });
});
