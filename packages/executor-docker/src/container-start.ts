import type { Readable } from "node:stream";
import { type ExecutionSpec, ExecutorError } from "@tstr/executor";
import type Dockerode from "dockerode";
import { DEFAULT_WORKING_DIR } from "./container-options.js";
import { dockerStatusOf, toExecutorError } from "./docker-api-errors.js";
import { filesArchive } from "./files-archive.js";

/** Creates the container; a 404 means the image vanished between the pull check and create. */
export async function createContainer(
  docker: Dockerode,
  options: Dockerode.ContainerCreateOptions,
  signal: AbortSignal,
): Promise<Dockerode.Container> {
  try {
    return await docker.createContainer({ ...options, abortSignal: signal });
  } catch (err) {
    const reason = dockerStatusOf(err) === 404 ? "IMAGE_NOT_FOUND" : "CREATE_FAILED";
    throw toExecutorError(err, reason, "creating the container");
  }
}

/** Copies spec.files into the created (not yet started) container's working dir. */
export async function copyFilesIn(
  container: Dockerode.Container,
  spec: ExecutionSpec,
  signal: AbortSignal,
): Promise<void> {
  if (spec.files.length === 0) return;
  const archive = await filesArchive(spec.files);
  try {
    await container.putArchive(archive, { path: spec.workingDir ?? DEFAULT_WORKING_DIR, abortSignal: signal });
  } catch (err) {
    throw toExecutorError(err, "CREATE_FAILED", "copying spec.files into the container");
  }
}

/**
 * Attaches to stdout/stderr, then starts. Attaching first means even a workload that exits at
 * once loses no output. The attach is not tied to `signal`: that signal only aborts the start,
 * and the stream must live as long as the workload. A start the engine refuses (command not
 * found, bad mount) is START_FAILED.
 */
export async function attachAndStart(container: Dockerode.Container, signal: AbortSignal): Promise<Readable> {
  // docker-modem hands back the raw HTTP response (a Readable) for a non-hijacked attach.
  const attachment = (await container.attach({ stream: true, stdout: true, stderr: true })) as unknown as Readable;
  try {
    signal.throwIfAborted();
    await container.start({ abortSignal: signal });
    return attachment;
  } catch (err) {
    attachment.destroy();
    if (err instanceof ExecutorError) throw err;
    throw toExecutorError(err, "START_FAILED", "starting the container");
  }
}
