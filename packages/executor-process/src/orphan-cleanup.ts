import { readdir, readlink, realpath, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { processAlive, signalProcessGroup } from "./process-group.js";
import { readOwnerMarker } from "./run-directory.js";

/** A directory without a readable marker this old is a crash between mkdir and marker write. */
const UNMARKED_GRACE_MS = 60_000;

/**
 * Removes run directories under `workRoot` whose owning runner process is gone, killing their
 * workload's process group first (a detached workload outlives its runner). Directories in
 * `active` belong to this executor and are never touched; those of other live runners sharing
 * the root are skipped because their owner pid is alive. Returns how many runs were reclaimed.
 */
export async function cleanupProcessOrphans(workRoot: string, active: ReadonlySet<string>, now: Date): Promise<number> {
  const entries = await readdir(workRoot, { withFileTypes: true }).catch(() => []);
  let reclaimed = 0;
  for (const entry of entries) {
    const root = join(workRoot, entry.name);
    if (!entry.isDirectory() || active.has(root)) continue;
    const marker = await readOwnerMarker(root);
    if (marker && processAlive(marker.runnerPid)) continue;
    if (!marker) {
      const info = await stat(root).catch(() => undefined);
      if (!info || now.getTime() - info.mtimeMs < UNMARKED_GRACE_MS) continue;
    }
    if (marker?.pgid && (await groupLeaderWorksIn(marker.pgid, join(root, "work")))) {
      signalProcessGroup(marker.pgid, "SIGKILL");
    }
    await rm(root, { recursive: true, force: true, maxRetries: 3 });
    reclaimed += 1;
  }
  return reclaimed;
}

/**
 * Guards against pid reuse: the recorded group is only killed while its leader still runs in the
 * run's working directory. Where /proc cannot tell (not Linux), the marker is trusted.
 */
async function groupLeaderWorksIn(pgid: number, workDir: string): Promise<boolean> {
  if (!processAlive(pgid)) return false;
  try {
    return (await readlink(`/proc/${pgid}/cwd`)) === (await realpath(workDir));
  } catch {
    return true;
  }
}
