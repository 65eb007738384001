import { execFile } from "node:child_process";
import { chmod, chown, mkdir, mkdtemp, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import type { PostgresBinaries } from "./postgres-binaries.js";
import { CLUSTER_PREFIX } from "./stale-clusters.js";
import type { ProcessIdentity } from "./unprivileged-user.js";

const execFileAsync = promisify(execFile);

/** A freshly initialised, not yet running cluster. */
export interface InitialisedCluster {
  dir: string;
  dataDir: string;
  logFile: string;
}

/**
 * Creates `<root>/cluster-XXXX/data` with initdb. The directory records its owner pid first, so
 * a later harness can tell an orphan from a cluster another live run is using.
 */
export async function initCluster(
  root: string,
  bins: PostgresBinaries,
  identity: ProcessIdentity | undefined,
): Promise<InitialisedCluster> {
  await mkdir(root, { recursive: true });
  // The unprivileged server user must be able to traverse the root (and a binary cache in it).
  await chmod(root, 0o755).catch(() => undefined);
  const dir = await mkdtemp(path.join(root, CLUSTER_PREFIX));
  await writeFile(path.join(dir, "owner.pid"), String(process.pid));
  if (identity) await chown(dir, identity.uid, identity.gid);
  const dataDir = path.join(dir, "data");
  const args = ["-D", dataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"];
  try {
    await execFileAsync(bins.initdb, args, { ...identity, env: { ...process.env, LC_ALL: "C" } });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? "";
    throw new Error(`initdb failed in ${dataDir}: ${stderr || String(err)}`);
  }
  return { dir, dataDir, logFile: path.join(dir, "postgres.log") };
}
