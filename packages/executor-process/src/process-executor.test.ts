import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ExecutionSpec, ExecutorError } from "@tstr/executor";
import { describeExecutorContract } from "@tstr/executor/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProcessExecutor } from "./process-executor.js";
import { readOwnerMarker } from "./run-directory.js";

/** A pid that existed and is gone: the owner of an "earlier runner's" leftovers. */
async function deadPid(): Promise<number> {
  const child = spawn("true");
  await new Promise((resolve) => child.once("exit", resolve));
  return child.pid!;
}

/** Whether a pid runs; a killed but not yet reaped zombie does not. */
async function isRunning(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  return stat !== "" && !stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
}

/** Waits up to a second for a killed pid to stop running. */
async function endsSoon(pid: number): Promise<boolean> {
  for (let i = 0; i < 50 && (await isRunning(pid)); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  return !(await isRunning(pid));
}

async function runDirsOf(workRoot: string, runId: string): Promise<string[]> {
  const found: string[] = [];
  for (const name of await readdir(workRoot).catch(() => [])) {
    if ((await readOwnerMarker(join(workRoot, name)))?.runId === runId) found.push(join(workRoot, name));
  }
  return found;
}

describeExecutorContract("process", async () => {
  const workRoot = await mkdtemp(join(tmpdir(), "tstr-process-contract-"));
  return {
    executor: createProcessExecutor({ workRoot }),
    image: "unused-by-the-process-backend",
    earlierRunner: async () => createProcessExecutor({ workRoot, runnerPid: await deadPid() }),
    missingCommand: { reason: "START_FAILED" },
    resultsDirOnHost: true,
    leftovers: (spec) => runDirsOf(workRoot, spec.runId),
    teardown: () => rm(workRoot, { recursive: true, force: true }),
  };
});

describe("process executor", () => {
  let workRoot: string;
  beforeAll(async () => {
    workRoot = await mkdtemp(join(tmpdir(), "tstr-process-executor-"));
  });
  afterAll(() => rm(workRoot, { recursive: true, force: true }));

  const spec = (command: string[], overrides: Partial<ExecutionSpec> = {}): ExecutionSpec => ({
    runId: `process-${crypto.randomUUID()}`,
    attempt: 1,
    image: "",
    command,
    entrypointOverride: false,
    env: { TSTR_RUN_ID: "r1", TSTR_RESULTS_DIR: "/tstr/results" },
    files: [],
    labels: {},
    resultsPath: "/tstr/results",
    ...overrides,
  });

  async function stdoutOf(executor: ReturnType<typeof createProcessExecutor>, runSpec: ExecutionSpec) {
    const handle = await executor.start(runSpec, new AbortController().signal);
    let text = "";
    for await (const chunk of handle.output()) if (chunk.stream === "stdout") text += Buffer.from(chunk.data);
    await handle.wait();
    await handle.remove();
    return text;
  }

  it("gives the workload spec.env plus PATH, HOME and the host results dir, nothing of the runner's", async () => {
    const executor = createProcessExecutor({ workRoot });
    const lines = (await stdoutOf(executor, spec(["env"]))).trim().split("\n").sort();
    expect(lines.map((line) => line.split("=")[0])).toEqual(["HOME", "PATH", "TSTR_RESULTS_DIR", "TSTR_RUN_ID"]);
    expect(lines.find((line) => line.startsWith("TSTR_RESULTS_DIR="))).toMatch(
      new RegExp(`^TSTR_RESULTS_DIR=${workRoot}/.+/results$`),
    );
  });

  it("takes baseEnv under spec.env", async () => {
    const executor = createProcessExecutor({
      workRoot,
      baseEnv: { PATH: "/usr/bin:/bin", EXTRA: "base", TSTR_RUN_ID: "base" },
    });
    const out = await stdoutOf(executor, spec(["sh", "-c", 'echo "$PATH $EXTRA $TSTR_RUN_ID"']));
    expect(out).toBe("/usr/bin:/bin base r1\n");
  });

  it("runs `sh` as the configured shell", async () => {
    const shell = join(workRoot, "my-shell");
    await symlink("/bin/sh", shell);
    const out = await stdoutOf(createProcessExecutor({ workRoot, shell }), spec(["sh", "-c", 'echo "$0"']));
    expect(out).toBe(`${shell}\n`);
  });

  it("refuses an empty command", async () => {
    const start = createProcessExecutor({ workRoot }).start(spec([]), new AbortController().signal);
    await expect(start).rejects.toBeInstanceOf(ExecutorError);
    await expect(start).rejects.toMatchObject({ reason: "START_FAILED" });
  });

  it("stop() reaches the processes the workload spawned", async () => {
    const executor = createProcessExecutor({ workRoot });
    const handle = await executor.start(spec(["sh", "-c", "sleep 300 & echo $!; wait"]), new AbortController().signal);
    const output = handle.output()[Symbol.asyncIterator]();
    const first = await output.next();
    const grandchild = Number(Buffer.from(first.value!.data).toString().trim());
    expect(await isRunning(grandchild)).toBe(true);
    await handle.stop(5_000);
    expect((await handle.wait()).stopped).toBe(true);
    expect(await endsSoon(grandchild)).toBe(true);
    await handle.remove();
  });

  it("ends background stragglers when the workload exits, so output ends", async () => {
    const executor = createProcessExecutor({ workRoot });
    const handle = await executor.start(
      spec(["sh", "-c", "sleep 300 & echo $!; exit 0"]),
      new AbortController().signal,
    );
    let text = "";
    for await (const chunk of handle.output()) text += Buffer.from(chunk.data);
    expect(await handle.wait()).toEqual({ exitCode: 0 });
    expect(await endsSoon(Number(text.trim()))).toBe(true);
    await handle.remove();
  });

  it("cleanupOrphans() reclaims unmarked directories only once they are old", async () => {
    const root = await mkdtemp(join(tmpdir(), "tstr-process-orphans-"));
    try {
      await mkdir(join(root, "fresh"));
      await mkdir(join(root, "stale"));
      const old = new Date(Date.now() - 10 * 60_000);
      await utimes(join(root, "stale"), old, old);
      expect(await createProcessExecutor({ workRoot: root }).cleanupOrphans()).toBe(1);
      expect(await readdir(root)).toEqual(["fresh"]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
