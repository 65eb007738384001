import { spawn } from "node:child_process";
import { resolve } from "node:path";
import {
  type ExecutionHandle,
  type ExecutionSpec,
  type Executor,
  ExecutorError,
  expandResultsDir,
  expandResultsDirInEnv,
} from "@tstr/executor";
import { cleanupProcessOrphans } from "./orphan-cleanup.js";
import { createProcessHandle } from "./process-handle.js";
import { createRunDirectory, type RunDirectory } from "./run-directory.js";

/** Options of the process backend; the composition root passes them, nothing is read from env. */
export interface ProcessExecutorOptions {
  /** Root of the per-run directories (`<runId>-a<attempt>-XXXXXX/{work,results,owner.json}`). */
  workRoot: string;
  /**
   * Program run when command[0] is `sh` or `/bin/sh` (default `/bin/sh`), so a container-style
   * `sh -c …` command does not depend on the PATH in spec.env.
   */
  shell?: string;
  /**
   * Variables the workload gets when spec.env does not set them. Pass the host's PATH (and HOME,
   * if wanted) here; by default PATH is the standard system PATH and HOME the run's working dir.
   */
  baseEnv?: Record<string, string>;
  /** The pid recorded as the owner of run directories; tests pass a dead one to fake an orphan. */
  runnerPid?: number;
}

const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/**
 * Runs workloads as host processes: for `tstr dev` without Docker, and for tests. Each attempt
 * gets a fresh directory under `workRoot` whose `work/` is the cwd (spec.workingDir, image,
 * network, resources and pull policy do not apply on the host and are ignored) and whose
 * `results/` is the results directory: TSTR_RESULTS_DIR is set to that host path, replacing
 * spec.resultsPath, which only means something inside a container (and `$(TSTR_RESULTS_DIR)` in
 * the command and env expands to it).
 *
 * The workload runs detached as its own process group so stop() reaches everything it spawned.
 * A command that cannot be spawned (not found, not executable) fails `start` with START_FAILED.
 */
export function createProcessExecutor(options: ProcessExecutorOptions): Executor {
  const workRoot = resolve(options.workRoot);
  const runnerPid = options.runnerPid ?? process.pid;
  const active = new Set<string>();

  async function start(spec: ExecutionSpec, signal: AbortSignal): Promise<ExecutionHandle> {
    signal.throwIfAborted();
    const [command] = spec.command;
    if (!command)
      throw new ExecutorError("START_FAILED", "the process executor needs a command (there is no image default)");
    const runDir = await createRunDirectory(workRoot, spec, runnerPid);
    active.add(runDir.root);
    const discard = async () => {
      active.delete(runDir.root);
      await runDir.remove();
    };
    try {
      signal.throwIfAborted();
      const [expanded = command, ...args] = spec.command.map((part) => expandResultsDir(part, runDir.resultsDir));
      const program = expanded === "sh" || expanded === "/bin/sh" ? (options.shell ?? "/bin/sh") : expanded;
      const child = spawn(program, args, {
        cwd: runDir.workDir,
        env: workloadEnv(spec, runDir, options.baseEnv),
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
      });
      await spawned(child, program);
      const handle = createProcessHandle(child, runDir, () => active.delete(runDir.root));
      try {
        await runDir.recordProcessGroup(child.pid!);
        signal.throwIfAborted();
      } catch (err) {
        await handle.remove();
        throw err;
      }
      return handle;
    } catch (err) {
      await discard();
      throw err;
    }
  }

  return {
    name: "process",
    start,
    cleanupOrphans: () => cleanupProcessOrphans(workRoot, active, new Date()),
  };
}

function workloadEnv(spec: ExecutionSpec, runDir: RunDirectory, baseEnv: Record<string, string> = {}) {
  const env = expandResultsDirInEnv(spec.env, runDir.resultsDir);
  return { PATH: DEFAULT_PATH, HOME: runDir.workDir, ...baseEnv, ...env, TSTR_RESULTS_DIR: runDir.resultsDir };
}

function spawned(child: ReturnType<typeof spawn>, program: string): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once("spawn", resolve);
    child.once("error", (err) => reject(new ExecutorError("START_FAILED", `cannot start ${program}: ${err.message}`)));
  });
}
