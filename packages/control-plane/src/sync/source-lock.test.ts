import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createSourceLock, SourceBusyError } from "./source-lock.js";

// The source lock against the test PostgreSQL server. Advisory locks need no tables, so this uses
// the server's maintenance database; every test takes fresh source names.

let url: string;
let holder: pg.Client;
beforeAll(async () => {
  url = inject("tstrPostgres").adminUrl;
  holder = new pg.Client({ connectionString: url });
  await holder.connect();
});
afterAll(() => holder?.end());

const source = () => `cli:lock-test-${randomUUID()}`;

/** A promise with its resolve function, to hold a sync open for as long as a test needs. */
function gate() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

/** Rejects if `promise` has not settled within `ms`: a wait that should not happen. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

describe("createSourceLock", () => {
  it("runs syncs of one source one after the other", async () => {
    const lock = createSourceLock(url);
    const name = source();
    let inside = 0;
    let most = 0;
    const work = async () => {
      most = Math.max(most, ++inside);
      await new Promise((r) => setTimeout(r, 20));
      inside--;
    };
    await within(Promise.all([1, 2, 3, 4].map(() => lock(name, work))), 5000, "four syncs");
    expect(most).toBe(1);
  });

  it("does not hold up a source behind a slow sync of another source", async () => {
    const lock = createSourceLock(url);
    const slow = gate();
    const stuck = lock(source(), () => slow.opened);
    try {
      await expect(
        within(
          lock(source(), async () => "done"),
          2000,
          "the other source's sync",
        ),
      ).resolves.toBe("done");
    } finally {
      slow.open();
      await stuck;
    }
  });

  it("gives up after waitMs when another replica holds the source, saying so", async () => {
    const name = source();
    await holder.query("SELECT pg_advisory_lock(hashtextextended($1, 0))", [`tstr:sync:${name}`]);
    try {
      const started = Date.now();
      const error = await within(
        createSourceLock(url, { waitMs: 300 })(name, async () => "ran").catch((e: unknown) => e),
        5000,
        "the blocked sync",
      );
      expect(error).toBeInstanceOf(SourceBusyError);
      expect((error as Error).message).toBe(`another replica is syncing ${name}; try again`);
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    } finally {
      await holder.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [`tstr:sync:${name}`]);
    }
  });

  it("gives up after waitMs behind a stuck sync of the same source here, and the queue goes on", async () => {
    const lock = createSourceLock(url, { waitMs: 300 });
    const name = source();
    const slow = gate();
    const stuck = lock(name, () => slow.opened);
    const error = await within(
      lock(name, async () => "ran").catch((e: unknown) => e),
      5000,
      "the queued sync",
    );
    expect((error as Error).message).toBe(`another sync of ${name} is still in progress on this replica; try again`);
    slow.open();
    await stuck;
    await expect(
      within(
        lock(name, async () => "next"),
        2000,
        "the next sync",
      ),
    ).resolves.toBe("next");
  });
});
