import { posix } from "node:path";
import { type ExecutionSpec, ExecutorError, expandResultsDir } from "@tstr/executor";
import type Dockerode from "dockerode";
import { containerLabels } from "./container-labels.js";

/** Where spec.files land when the spec names no working directory. */
export const DEFAULT_WORKING_DIR = "/tstr/work";

/** What the Docker backend decides for a container, beyond the spec. */
export interface ContainerOptionsContext {
  name: string;
  runnerId: string;
  /** Host directory mounted at spec.resultsPath. */
  resultsHostDir: string;
  /** Network when the spec names none. */
  defaultNetwork: "none" | "host";
}

/** Network modes that mean Docker's default bridge, which workloads must never join here. */
const BRIDGE_MODES = new Set(["", "bridge", "default"]);

/**
 * The pure translation of an ExecutionSpec into Docker's create options, kept apart from any I/O
 * so every rule (entrypoint override, labels, network, limits, results mount) is table-tested.
 * Throws ExecutorError CREATE_FAILED for specs Docker would reject or we refuse (default bridge).
 */
export function toContainerOptions(
  spec: ExecutionSpec,
  context: ContainerOptionsContext,
): Dockerode.ContainerCreateOptions {
  const workingDir = spec.workingDir ?? DEFAULT_WORKING_DIR;
  for (const [what, path] of [
    ["workingDir", workingDir],
    ["resultsPath", spec.resultsPath],
  ]) {
    if (!posix.isAbsolute(path!))
      throw new ExecutorError("CREATE_FAILED", `${what} must be an absolute path, got ${path}`);
  }
  const network = spec.network ?? context.defaultNetwork;
  if (BRIDGE_MODES.has(network)) {
    throw new ExecutorError(
      "CREATE_FAILED",
      `network mode "${network}" (the default bridge) is not allowed; use none or host`,
    );
  }
  const command = spec.command.map((part) => expandResultsDir(part, spec.resultsPath));
  const [first, ...rest] = command;
  const overrideEntrypoint = spec.entrypointOverride && first !== undefined;
  return {
    name: context.name,
    Image: spec.image,
    ...(overrideEntrypoint ? { Entrypoint: [first], Cmd: rest } : command.length > 0 ? { Cmd: command } : {}),
    Env: Object.entries(spec.env).map(([key, value]) => `${key}=${expandResultsDir(value, spec.resultsPath)}`),
    WorkingDir: workingDir,
    Labels: containerLabels(spec, context.runnerId),
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    OpenStdin: false,
    HostConfig: {
      NetworkMode: network,
      Binds: [`${context.resultsHostDir}:${spec.resultsPath}:rw`],
      AutoRemove: false,
      ...resourceLimits(spec.resources),
    },
  };
}

function resourceLimits(resources: ExecutionSpec["resources"]): Dockerode.HostConfig {
  const limits: Dockerode.HostConfig = {};
  if (resources?.cpuCores !== undefined) limits.NanoCpus = Math.round(resources.cpuCores * 1e9);
  if (resources?.memoryBytes !== undefined) {
    limits.Memory = resources.memoryBytes;
    // Equal to Memory: no swap on top, so the limit means what the test configuration says.
    limits.MemorySwap = resources.memoryBytes;
  }
  return limits;
}
