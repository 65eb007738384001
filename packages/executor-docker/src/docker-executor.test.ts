import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ExecutionSpec, ExecutorError } from "@tstr/executor";
import { describeExecutorContract } from "@tstr/executor/contract";
// Until @tstr/testing re-exports it from its index, import the helper by path.
import { DOCKER_SOCKET, dockerAvailable, ensureTestImage } from "@tstr/testing";
import Dockerode from "dockerode";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { containerLabelKeys } from "./container-labels.js";
import { createDockerExecutor } from "./docker-executor.js";

const docker = new Dockerode({ socketPath: DOCKER_SOCKET });

/** Fails (never skips) without an engine: CI installs one, so its absence is a broken setup. */
async function requireTestImage(): Promise<string> {
  if (!(await dockerAvailable())) {
    throw new Error(`No Docker engine answers on ${DOCKER_SOCKET}: run \`bash .ci/ensure-docker.sh\` first`);
  }
  return ensureTestImage(docker);
}

/** Containers and results dirs still there for a run. */
async function leftovers(resultsRoot: string, spec: ExecutionSpec): Promise<string[]> {
  const containers = await docker.listContainers({
    all: true,
    filters: { label: [`${containerLabelKeys.runId}=${spec.runId}`] },
  });
  const found = containers.map((info) => `container ${info.Names[0]}`);
  for (const runner of await readdir(resultsRoot).catch(() => [])) {
    for (const dir of await readdir(join(resultsRoot, runner))) if (dir.includes(spec.runId)) found.push(`dir ${dir}`);
  }
  return found;
}

/** Removes every container a test runner id left (whatever a failed test did not clean up). */
async function removeContainersOf(runnerId: string): Promise<void> {
  const containers = await docker.listContainers({
    all: true,
    filters: { label: [`${containerLabelKeys.runnerId}=${runnerId}`] },
  });
  await Promise.all(containers.map((info) => docker.getContainer(info.Id).remove({ force: true })));
}

describeExecutorContract("docker", async () => {
  const image = await requireTestImage();
  const runnerId = `contract-${randomUUID()}`;
  const resultsRoot = await mkdtemp(join(tmpdir(), "tstr-docker-contract-"));
  return {
    executor: createDockerExecutor({ docker, runnerId, resultsRoot }),
    image,
    earlierRunner: async () => createDockerExecutor({ docker, runnerId, resultsRoot }),
    missingCommand: { reason: "START_FAILED" },
    leftovers: (spec) => leftovers(resultsRoot, spec),
    async teardown() {
      await removeContainersOf(runnerId);
      await rm(resultsRoot, { recursive: true, force: true });
    },
  };
});

describe("docker executor", () => {
  let image: string;
  let resultsRoot: string;
  const runnerId = `docker-test-${randomUUID()}`;
  const executor = () => createDockerExecutor({ docker, runnerId, resultsRoot });

  let setupError: unknown;

  beforeAll(async () => {
    try {
      image = await requireTestImage();
      resultsRoot = await mkdtemp(join(tmpdir(), "tstr-docker-test-"));
    } catch (err) {
      setupError = err;
    }
  }, 60_000);
  beforeEach(() => {
    if (setupError) throw setupError;
  });
  afterAll(async () => {
    if (setupError) return;
    await removeContainersOf(runnerId);
    await rm(resultsRoot, { recursive: true, force: true });
  });

  const spec = (script: string, overrides: Partial<ExecutionSpec> = {}): ExecutionSpec => ({
    runId: `docker-${randomUUID()}`,
    attempt: 2,
    image,
    command: ["sh", "-c", script],
    entrypointOverride: false,
    env: { TSTR_RESULTS_DIR: "/tstr/results" },
    files: [],
    labels: { app: "checkout", "example.com/team": "qa" },
    resultsPath: "/tstr/results",
    ...overrides,
  });

  /** Runs to the end and returns stdout, the container's inspect data, and the handle. */
  async function runToEnd(runSpec: ExecutionSpec, exec = executor()) {
    const handle = await exec.start(runSpec, new AbortController().signal);
    let stdout = "";
    for await (const chunk of handle.output()) if (chunk.stream === "stdout") stdout += Buffer.from(chunk.data);
    const exit = await handle.wait();
    const [info] = await docker.listContainers({
      all: true,
      filters: { label: [`${containerLabelKeys.runId}=${runSpec.runId}`] },
    });
    const inspect = await docker.getContainer(info!.Id).inspect();
    return { stdout, exit, inspect, handle };
  }

  it("pull policy never with a missing image: IMAGE_NOT_FOUND, nothing created", async () => {
    const missing = spec("exit 0", { image: "tstr-test/does-not-exist:1", pullPolicy: "never" });
    const start = executor().start(missing, new AbortController().signal);
    await expect(start).rejects.toBeInstanceOf(ExecutorError);
    await expect(start).rejects.toMatchObject({ reason: "IMAGE_NOT_FOUND" });
    expect(await leftovers(resultsRoot, missing)).toEqual([]);
  });

  it("a pull that cannot reach a registry: IMAGE_PULL_FAILED with the daemon's message", async () => {
    const start = executor().start(spec("exit 0", { pullPolicy: "always" }), new AbortController().signal);
    await expect(start).rejects.toMatchObject({
      reason: "IMAGE_PULL_FAILED",
      message: expect.stringMatching(/^pulling tstr-test\/busybox:latest failed: .+/),
    });
  });

  it("runs with network none by default: only the loopback interface", async () => {
    const { stdout, inspect, handle } = await runToEnd(spec("ls /sys/class/net"));
    expect(inspect.HostConfig.NetworkMode).toBe("none");
    expect(stdout.trim()).toBe("lo");
    await handle.remove();
  });

  it("uses host networking when asked and refuses the default bridge", async () => {
    const { inspect, handle } = await runToEnd(spec("exit 0", { network: "host" }));
    expect(inspect.HostConfig.NetworkMode).toBe("host");
    await handle.remove();
    const bridged = executor().start(spec("exit 0", { network: "bridge" }), new AbortController().signal);
    await expect(bridged).rejects.toMatchObject({ reason: "CREATE_FAILED" });
  });

  it("applies CPU and memory limits, visible in inspect and in the container's cgroup", async () => {
    const memory = 64 * 1024 * 1024;
    const script = "cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes";
    const { stdout, inspect, handle } = await runToEnd(
      spec(script, { resources: { cpuCores: 0.5, memoryBytes: memory } }),
    );
    expect(inspect.HostConfig.NanoCpus).toBe(500_000_000);
    expect(inspect.HostConfig.Memory).toBe(memory);
    expect(stdout.trim()).toBe(String(memory));
    await handle.remove();
  });

  it("labels the container with run id, attempt, runner id and the run's labels", async () => {
    const runSpec = spec("exit 0");
    const { inspect, handle } = await runToEnd(runSpec);
    expect(inspect.Config.Labels).toMatchObject({
      "dev.tstr.run-id": runSpec.runId,
      "dev.tstr.attempt": "2",
      "dev.tstr.runner-id": runnerId,
      "dev.tstr.label/app": "checkout",
      "dev.tstr.label/example.com/team": "qa",
    });
    await handle.remove();
  });

  it("honours workingDir and entrypointOverride", async () => {
    const files = [{ path: "hello.txt", content: new TextEncoder().encode("hi") }];
    const { stdout, inspect, handle } = await runToEnd(
      spec("", { command: ["sh", "-c", "pwd; cat hello.txt"], entrypointOverride: true, workingDir: "/app", files }),
    );
    expect(inspect.Config.Entrypoint).toEqual(["sh"]);
    expect(stdout).toBe("/app\nhi");
    await handle.remove();
  });

  it("removes the container afterwards", async () => {
    const { inspect, handle } = await runToEnd(spec("exit 0"));
    await handle.remove();
    await expect(docker.getContainer(inspect.Id).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it("cleanupOrphans() at startup removes this runner's leftovers only", async () => {
    const orphanRunner = `orphans-${randomUUID()}`;
    const otherRunner = `others-${randomUUID()}`;
    const create = (owner: string) =>
      docker.createContainer({
        Image: image,
        Cmd: ["sleep", "300"],
        Labels: { [containerLabelKeys.runnerId]: owner },
        HostConfig: { NetworkMode: "none" },
      });
    const orphan = await create(orphanRunner);
    await orphan.start();
    const other = await create(otherRunner);
    await mkdir(join(resultsRoot, orphanRunner, "tstr-stale-run-a1-0000"), { recursive: true });
    try {
      expect(await createDockerExecutor({ docker, runnerId: orphanRunner, resultsRoot }).cleanupOrphans()).toBe(2);
      await expect(orphan.inspect()).rejects.toMatchObject({ statusCode: 404 });
      expect((await other.inspect()).Id).toBe(other.id);
      expect(await readdir(join(resultsRoot, orphanRunner))).toEqual([]);
    } finally {
      await other.remove({ force: true });
    }
  });
});
