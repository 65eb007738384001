import { readdir, readFile, rm, stat } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** Prefix of every per-server directory under the harness root. */
export const CLUSTER_PREFIX = "cluster-";

/**
 * Removes clusters left behind by harness processes that died without stopping their server
 * (SIGKILL, OOM, a crashed CI step): the owner pid is gone, so the postmaster, if still alive,
 * is an orphan. Directories of live owners are left alone, so parallel runs never interfere.
 */
export async function removeStaleClusters(root: string): Promise<void> {
  const entries = await readdir(root).catch(() => [] as string[]);
  await Promise.all(entries.filter((e) => e.startsWith(CLUSTER_PREFIX)).map((e) => removeIfStale(path.join(root, e))));
}

async function removeIfStale(dir: string): Promise<void> {
  const owner = Number.parseInt(await readFile(path.join(dir, "owner.pid"), "utf8").catch(() => ""), 10);
  if (owner > 0 && isAlive(owner)) return;
  if (!(owner > 0)) {
    const created = await stat(dir).catch(() => undefined);
    // A directory without an owner file may be one being created right now.
    if (!created || Date.now() - created.mtimeMs < 60_000) return;
  }
  await stopOrphanedPostmaster(path.join(dir, "data"));
  await rm(dir, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
}

async function stopOrphanedPostmaster(dataDir: string): Promise<void> {
  const pidFile = await readFile(path.join(dataDir, "postmaster.pid"), "utf8").catch(() => "");
  const pid = Number.parseInt(pidFile.split("\n")[0] ?? "", 10);
  if (!(pid > 0) || !isAlive(pid)) return;
  // Guard against pid reuse: only signal a process that really serves this data directory.
  const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
  if (!cmdline.includes(dataDir)) return;
  process.kill(pid, "SIGQUIT");
  for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(50);
  if (isAlive(pid)) process.kill(pid, "SIGKILL");
}

/** True when a process with this pid exists (EPERM still means it exists). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
