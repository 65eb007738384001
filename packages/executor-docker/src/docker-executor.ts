import { randomBytes } from "node:crypto";
import { chmod, mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ExecutionHandle, type ExecutionSpec, type Executor, workloadFilePath } from "@tstr/executor";
import Dockerode from "dockerode";
import { containerNameFor } from "./container-labels.js";
import { toContainerOptions } from "./container-options.js";
import { attachAndStart, copyFilesIn, createContainer } from "./container-start.js";
import { ignoringGone } from "./docker-api-errors.js";
import { createDockerHandle } from "./docker-handle.js";
import { cleanupDockerOrphans } from "./docker-orphans.js";
import { ensureImage } from "./image-pull.js";

/** Options of the Docker backend; the composition root passes them, nothing is read from env. */
export interface DockerExecutorOptions {
  /** Default: the local engine at /var/run/docker.sock. */
  docker?: Dockerode;
  /** This runner's identity, put on every container so a restarted runner finds its orphans. */
  runnerId: string;
  /** Network when a spec names none (default "none"). The default bridge is never used. */
  defaultNetwork?: "none" | "host";
  /**
   * Host directory holding the per-run results dirs (`<root>/<runnerId>/<container name>`), bind
   * mounted at spec.resultsPath; the engine must see the same filesystem (a local engine).
   * Default: `<tmpdir>/tstr-docker`.
   */
  resultsRoot?: string;
}

/**
 * Runs workloads as Docker containers: image per pull policy, spec.files copied in with
 * putArchive before start, stdout/stderr from an attach opened before start, results from a
 * bind-mounted host dir, and the container removed on remove(). Start failures throw
 * ExecutorError: IMAGE_NOT_FOUND / IMAGE_PULL_FAILED, CREATE_FAILED, and START_FAILED when the
 * engine cannot exec the command (a missing command fails the start rather than exiting 127).
 */
export function createDockerExecutor(options: DockerExecutorOptions): Executor {
  const docker = options.docker ?? new Dockerode({ socketPath: "/var/run/docker.sock" });
  const runnerDir = join(options.resultsRoot ?? join(tmpdir(), "tstr-docker"), safeSegment(options.runnerId));
  const defaultNetwork = options.defaultNetwork ?? "none";
  /** Names of the containers this executor started and has not removed: never orphans. */
  const active = new Set<string>();

  async function start(spec: ExecutionSpec, signal: AbortSignal): Promise<ExecutionHandle> {
    signal.throwIfAborted();
    for (const file of spec.files) workloadFilePath(file.path);
    const name = containerNameFor(spec, randomBytes(4).toString("hex"));
    const resultsHostDir = join(runnerDir, name);
    const createOptions = toContainerOptions(spec, {
      name,
      runnerId: options.runnerId,
      resultsHostDir,
      defaultNetwork,
    });
    await ensureImage(docker, spec.image, spec.pullPolicy ?? "if-not-present", signal);
    active.add(name);
    let container: Dockerode.Container | undefined;
    try {
      await mkdir(resultsHostDir, { recursive: true });
      await chmod(resultsHostDir, 0o777);
      container = await createContainer(docker, createOptions, signal);
      await copyFilesIn(container, spec, signal);
      const attachment = await attachAndStart(container, signal);
      return createDockerHandle({ container, attachment, resultsHostDir, onRemoved: () => active.delete(name) });
    } catch (err) {
      const created = container;
      if (created) await ignoringGone(() => created.remove({ force: true, v: true })).catch(() => {});
      await rm(resultsHostDir, { recursive: true, force: true });
      active.delete(name);
      throw err;
    }
  }

  return {
    name: "docker",
    start,
    cleanupOrphans: () => cleanupDockerOrphans(docker, options.runnerId, runnerDir, active),
  };
}

function safeSegment(value: string): string {
  return value.replace(/[^A-Za-z0-9_.-]/g, "_") || "runner";
}
