import { type ExecutionSpec, ExecutorError } from "@tstr/executor";
import type Dockerode from "dockerode";
import { daemonMessageOf, dockerStatusOf } from "./docker-api-errors.js";

type PullPolicy = NonNullable<ExecutionSpec["pullPolicy"]>;

/**
 * Makes `image` available according to the pull policy (default if-not-present, as for tagged
 * images in Kubernetes). `never` with a missing image is IMAGE_NOT_FOUND; a failed pull is
 * IMAGE_PULL_FAILED with the daemon's message (unreachable registry, auth), or IMAGE_NOT_FOUND when
 * the registry says the image does not exist.
 */
export async function ensureImage(
  docker: Dockerode,
  image: string,
  policy: PullPolicy,
  signal: AbortSignal,
): Promise<void> {
  if (policy !== "always" && (await imagePresent(docker, image, signal))) return;
  if (policy === "never")
    throw new ExecutorError("IMAGE_NOT_FOUND", `image ${image} is not present and the pull policy is never`);
  await pullImage(docker, image, signal);
}

async function imagePresent(docker: Dockerode, image: string, signal: AbortSignal): Promise<boolean> {
  try {
    signal.throwIfAborted();
    await docker.getImage(image).inspect();
    return true;
  } catch (err) {
    if (dockerStatusOf(err) === 404) return false;
    throw new ExecutorError("EXECUTOR_UNAVAILABLE", `cannot inspect image ${image}: ${daemonMessageOf(err)}`);
  }
}

const NOT_FOUND = /not found|manifest unknown|repository does not exist|no such image/i;

async function pullImage(docker: Dockerode, image: string, signal: AbortSignal): Promise<void> {
  let message: string | undefined;
  try {
    const progress = await docker.pull(image, { abortSignal: signal });
    const events = await new Promise<{ error?: string }[]>((resolve, reject) => {
      docker.modem.followProgress(progress, (err: Error | null, output: { error?: string }[]) =>
        err ? reject(err) : resolve(output),
      );
    });
    message = events.find((event) => event.error)?.error;
  } catch (err) {
    signal.throwIfAborted();
    message = daemonMessageOf(err);
  }
  if (message === undefined) return;
  const reason = NOT_FOUND.test(message) ? "IMAGE_NOT_FOUND" : "IMAGE_PULL_FAILED";
  throw new ExecutorError(reason, `pulling ${image} failed: ${message}`);
}
