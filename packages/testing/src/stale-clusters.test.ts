import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isAlive, removeStaleClusters } from "./stale-clusters.js";
import { startPostgres } from "./start-postgres.js";

const roots: string[] = [];
afterAll(async () => {
  await Promise.all(roots.map((r) => rm(r, { recursive: true, force: true })));
});

function deadPid(): number {
  return Number(execFileSync("sh", ["-c", "echo $$"], { encoding: "utf8" }).trim());
}

describe("removeStaleClusters", () => {
  it("stops a postmaster whose owner died and deletes its directory", async () => {
    const rootDir = await mkdtemp(path.join(os.tmpdir(), "tstr-pg-stale-"));
    roots.push(rootDir);
    const server = await startPostgres({ rootDir });
    const [cluster = ""] = await readdir(rootDir).then((e) => e.filter((n) => n.startsWith("cluster-")));
    const pidFile = await readFile(path.join(rootDir, cluster, "data", "postmaster.pid"), "utf8");
    const postmaster = Number(pidFile.split("\n")[0]);
    // Pretend the harness process that started it was SIGKILLed.
    await writeFile(path.join(rootDir, cluster, "owner.pid"), String(deadPid()));
    await removeStaleClusters(rootDir);
    expect(isAlive(postmaster)).toBe(false);
    expect(await readdir(rootDir)).not.toContain(cluster);
    await server.stop();
  });

  it("keeps clusters of live owners and fresh directories still being created", async () => {
    const rootDir = await mkdtemp(path.join(os.tmpdir(), "tstr-pg-stale-"));
    roots.push(rootDir);
    await mkdir(path.join(rootDir, "cluster-live"));
    await writeFile(path.join(rootDir, "cluster-live", "owner.pid"), String(process.pid));
    await mkdir(path.join(rootDir, "cluster-new"));
    await mkdir(path.join(rootDir, "cluster-abandoned"));
    const longAgo = new Date(Date.now() - 3_600_000);
    await utimes(path.join(rootDir, "cluster-abandoned"), longAgo, longAgo);
    await mkdir(path.join(rootDir, "cluster-dead"));
    await writeFile(path.join(rootDir, "cluster-dead", "owner.pid"), String(deadPid()));
    await removeStaleClusters(rootDir);
    expect((await readdir(rootDir)).sort()).toEqual(["cluster-live", "cluster-new"]);
  });
});
