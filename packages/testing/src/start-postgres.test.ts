import { mkdtemp, readdir, rm } from "node:fs/promises";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { cloneDatabase, createTemplateDatabase, dropDatabase, withDatabase } from "./database-admin.js";
import { startPostgres } from "./start-postgres.js";

const roots: string[] = [];
afterAll(async () => {
  await Promise.all(roots.map((r) => rm(r, { recursive: true, force: true })));
});

async function freshRoot(): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), "tstr-pg-test-"));
  roots.push(root);
  return root;
}

async function query(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe("startPostgres", () => {
  it("starts independent servers side by side and removes their files on stop", async () => {
    const rootDir = await freshRoot();
    const [a, b] = await Promise.all([startPostgres({ rootDir }), startPostgres({ rootDir })]);
    expect(a.port).not.toBe(b.port);
    expect(await query(a.adminUrl, "SELECT current_user AS u")).toEqual([{ u: "postgres" }]);
    expect(await readdir(rootDir)).toHaveLength(2);
    await Promise.all([a.stop(), b.stop(), a.stop()]);
    expect((await readdir(rootDir)).filter((e) => e.startsWith("cluster-"))).toEqual([]);
  });

  it("clones a migrated template into isolated databases", async () => {
    const server = await startPostgres({ rootDir: await freshRoot() });
    try {
      const template = await createTemplateDatabase(server.adminUrl);
      const [one, two] = await Promise.all([
        cloneDatabase(server.adminUrl, template),
        cloneDatabase(server.adminUrl, template),
      ]);
      const urlOne = withDatabase(server.adminUrl, one);
      await query(urlOne, "INSERT INTO server_state (key, value) VALUES ('only-in-one', 'true')");
      expect(await query(urlOne, "SELECT key FROM server_state")).toEqual([{ key: "only-in-one" }]);
      expect(await query(withDatabase(server.adminUrl, two), "SELECT key FROM server_state")).toEqual([]);
      await dropDatabase(server.adminUrl, one);
      await dropDatabase(server.adminUrl, two);
    } finally {
      await server.stop();
    }
  });

  it("retries port collisions, then fails with the server's own words and leaves nothing behind", async () => {
    const rootDir = await freshRoot();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const address = blocker.address();
    const taken = typeof address === "object" && address ? address.port : 0;
    try {
      // Forcing the port makes every attempt collide, exercising the retry loop to its end.
      await expect(startPostgres({ rootDir, settings: { port: String(taken) } })).rejects.toThrow(
        /could not bind|address already in use/i,
      );
      expect((await readdir(rootDir)).filter((e) => e.startsWith("cluster-"))).toEqual([]);
    } finally {
      blocker.close();
    }
  });
});
