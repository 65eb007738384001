import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { DEFAULT_FILE_MODE, type ExecutionSpec, workloadFilePath } from "@tstr/executor";

/**
 * Written into every run directory so a later runner can tell whether the run's owner is still
 * alive (`cleanupOrphans`) and which process group to kill if it is not.
 */
export interface RunOwnerMarker {
  runnerPid: number;
  runId: string;
  attempt: number;
  createdAt: string;
  /** The workload's process group, once spawned. */
  pgid?: number;
}

/** One run's host directories: `work/` is the cwd, `results/` is TSTR_RESULTS_DIR. */
export interface RunDirectory {
  root: string;
  workDir: string;
  resultsDir: string;
  recordProcessGroup(pgid: number): Promise<void>;
  remove(): Promise<void>;
}

export const OWNER_MARKER = "owner.json";

/**
 * Creates a fresh directory for one attempt under `workRoot`, writes the owner marker first (so a
 * crash right after leaves a reclaimable directory), then the spec's files. Paths are checked
 * before anything touches the disk, so an escaping path leaves nothing behind.
 */
export async function createRunDirectory(
  workRoot: string,
  spec: ExecutionSpec,
  runnerPid: number,
): Promise<RunDirectory> {
  const files = spec.files.map((file) => ({ ...file, segments: workloadFilePath(file.path) }));
  await mkdir(workRoot, { recursive: true });
  const root = await mkdtemp(join(workRoot, `${dirNameFor(spec.runId)}-a${spec.attempt}-`));
  const marker: RunOwnerMarker = {
    runnerPid,
    runId: spec.runId,
    attempt: spec.attempt,
    createdAt: new Date().toISOString(),
  };
  const writeMarker = () => writeFile(join(root, OWNER_MARKER), JSON.stringify(marker));
  const remove = () => rm(root, { recursive: true, force: true, maxRetries: 3 });
  try {
    await writeMarker();
    const workDir = join(root, "work");
    const resultsDir = join(root, "results");
    await mkdir(workDir);
    await mkdir(resultsDir);
    await chmod(resultsDir, 0o777);
    for (const file of files) {
      const target = join(workDir, ...file.segments);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, file.content, { mode: file.mode ?? DEFAULT_FILE_MODE });
      await chmod(target, file.mode ?? DEFAULT_FILE_MODE);
    }
    return {
      root,
      workDir,
      resultsDir,
      async recordProcessGroup(pgid) {
        marker.pgid = pgid;
        await writeMarker();
      },
      remove,
    };
  } catch (err) {
    await remove();
    throw err;
  }
}

/** Reads a run directory's owner marker; undefined when it is missing or unreadable. */
export async function readOwnerMarker(root: string): Promise<RunOwnerMarker | undefined> {
  try {
    const marker = JSON.parse(await readFile(join(root, OWNER_MARKER), "utf8")) as RunOwnerMarker;
    return typeof marker.runnerPid === "number" ? marker : undefined;
  } catch {
    return undefined;
  }
}

function dirNameFor(runId: string): string {
  return runId.replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 80) || "run";
}
