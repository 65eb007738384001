import { useTestDatabase } from "@tstr/testing";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createListener, type Listener } from "./listener.js";
import { notify } from "./notify.js";

const t = useTestDatabase();
const listeners: Listener[] = [];
afterEach(async () => {
  await Promise.all(listeners.splice(0).map((l) => l.close()));
});

function listen(channels: string[], opts: Parameters<typeof createListener>[3] = {}) {
  const received: [string, string][] = [];
  const listener = createListener(t.url, channels, (c, p) => received.push([c, p]), {
    minBackoffMs: 10,
    maxBackoffMs: 100,
    ...opts,
  });
  listeners.push(listener);
  return { listener, received };
}

describe("createListener", () => {
  it("receives notifications on its channels only", async () => {
    const { listener, received } = listen(["tstr_a", "Mixed Case"]);
    await listener.ready;
    await notify(t.db.pool, "tstr_a", "one");
    await notify(t.db.pool, "tstr_other", "ignored");
    await notify(t.db.pool, "Mixed Case", "two");
    await vi.waitFor(() =>
      expect(received).toEqual([
        ["tstr_a", "one"],
        ["Mixed Case", "two"],
      ]),
    );
  });

  it("delivers a notification sent in a transaction only on commit", async () => {
    const { listener, received } = listen(["tstr_tx"]);
    await listener.ready;
    await t.db.prisma.$transaction(async (tx) => {
      await notify(tx, "tstr_tx", "committed");
      await new Promise((r) => setTimeout(r, 50));
      expect(received).toEqual([]);
    });
    await vi.waitFor(() => expect(received).toEqual([["tstr_tx", "committed"]]));
  });

  it("reconnects after its backend is terminated and tells the consumer", async () => {
    let connects = 0;
    const errors: Error[] = [];
    const { listener, received } = listen(["tstr_survive"], {
      onConnected: () => connects++,
      onError: (e) => errors.push(e),
    });
    await listener.ready;
    expect(connects).toBe(1);
    await t.db.pool.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN tstr_survive' OR query LIKE 'LISTEN \"tstr_survive\"'",
    );
    await vi.waitFor(() => expect(connects).toBe(2), { timeout: 5_000 });
    expect(errors.length).toBeGreaterThan(0);
    await notify(t.db.pool, "tstr_survive", "after");
    await vi.waitFor(() => expect(received).toEqual([["tstr_survive", "after"]]));
  });

  it("stops reconnecting once closed", async () => {
    let connects = 0;
    const { listener } = listen(["tstr_closed"], { onConnected: () => connects++ });
    await listener.ready;
    await listener.close();
    await new Promise((r) => setTimeout(r, 200));
    expect(connects).toBe(1);
    const { rows } = await t.db.pool.query(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'LISTEN%tstr_closed%'",
    );
    expect(rows[0].n).toBe(0);
  });
});
