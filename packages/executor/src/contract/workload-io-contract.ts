import { expect, it } from "vitest";
import { ExecutorError } from "../executor.js";
import { CONTRACT_RESULTS_PATH, type ContractContext } from "./contract-subject.js";
import { linesOf } from "./output-collector.js";
import { greetScript, workloadScripts } from "./workload-scripts.js";

const encode = (text: string) => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** What goes in and out of a workload: exit codes, streams, environment, files, results. */
export function describeWorkloadIoContract(context: ContractContext): void {
  it("reports exit code 0 and non-zero exit codes", async () => {
    const passing = await context.start(context.spec("exit 0"));
    const failing = await context.start(context.spec("exit 3"));
    expect(await passing.handle.wait()).toEqual({ exitCode: 0 });
    expect(await failing.handle.wait()).toEqual({ exitCode: 3 });
  });

  it("keeps stdout and stderr apart, every line once and in order", async () => {
    const run = await context.start(context.spec(workloadScripts.interleavedOutput(1000)));
    expect((await run.handle.wait()).exitCode).toBe(0);
    await run.output.ended;
    const numbered = (prefix: string) => Array.from({ length: 1000 }, (_, i) => `${prefix} ${i + 1}`);
    if (context.subject().mergedStreams) {
      const lines = linesOf(run.output.stdout());
      expect(lines.filter((line) => line.startsWith("out "))).toEqual(numbered("out"));
      expect(lines.filter((line) => line.startsWith("err "))).toEqual(numbered("err"));
      expect(lines).toHaveLength(2000);
    } else {
      expect(linesOf(run.output.stdout())).toEqual(numbered("out"));
      expect(linesOf(run.output.stderr())).toEqual(numbered("err"));
    }
    for (const chunk of run.output.chunks) expect(chunk.time).toBeInstanceOf(Date);
  });

  it("gives the workload its environment, TSTR_RESULTS_DIR included", async () => {
    const spec = context.spec(workloadScripts.printEnvironment);
    spec.env.GREETING = "hello world";
    const run = await context.start(spec);
    expect(await run.handle.wait()).toEqual({ exitCode: 0 });
    await run.output.ended;
    const [greeting, runId, resultsDir, writable] = linesOf(run.output.stdout());
    expect(greeting).toBe("hello world");
    expect(runId).toBe(spec.runId);
    if (context.subject().resultsDirOnHost) expect(resultsDir).toMatch(/^\//);
    else expect(resultsDir).toBe(CONTRACT_RESULTS_PATH);
    expect(writable).toBe("writable");
  });

  it("places spec.files in the working dir, scripts runnable", async () => {
    const files = [
      { path: "scripts/greet.sh", content: encode(greetScript) },
      { path: "data/name.txt", content: encode("contract"), mode: 0o644 },
    ];
    const run = await context.start(context.spec("./scripts/greet.sh x && sh scripts/greet.sh y", { files }));
    expect(await run.handle.wait()).toEqual({ exitCode: 0 });
    await run.output.ended;
    expect(linesOf(run.output.stdout())).toEqual(["greeting x from contract", "greeting y from contract"]);
  });

  it("refuses file paths that escape the working dir", async () => {
    for (const path of ["../escape.sh", "/etc/escape.sh", "a/../../escape.sh"]) {
      const spec = context.spec("exit 0", { files: [{ path, content: encode("x") }] });
      await expect(context.subject().executor.start(spec, new AbortController().signal)).rejects.toMatchObject({
        name: "ExecutorError",
        reason: "CREATE_FAILED",
      });
      expect(await context.leftovers(spec)).toEqual([]);
    }
  });

  it("returns the results directory's files with relative paths, skipping what exceeds the budget", async () => {
    const run = await context.start(context.spec(workloadScripts.writeResults));
    expect(await run.handle.wait()).toEqual({ exitCode: 0 });
    const small = await run.handle.results(1000);
    expect(small.map((file) => [file.path, decode(file.content)])).toEqual([
      ["junit/a.xml", '<testsuite name="a"/>'],
      ["result.json", '{"ok":true}'],
    ]);
    const all = await run.handle.results(1_000_000);
    expect(all.map((file) => [file.path, file.content.byteLength])).toEqual([
      ["big.bin", 5000],
      ["junit/a.xml", 21],
      ["result.json", 11],
    ]);
  });

  it("expands $(TSTR_RESULTS_DIR) in the command and env to the results directory the workload sees", async () => {
    const spec = context.spec('printf "%s|%s" "$1" "$TARGET" > "$1" && printf "%s" "$TSTR_RESULTS_DIR"');
    spec.command = [...spec.command, "sh", "$(TSTR_RESULTS_DIR)/expanded.txt"];
    spec.env.TARGET = "json=$(TSTR_RESULTS_DIR)/x.ndjson $$(TSTR_RESULTS_DIR)";
    const run = await context.start(spec);
    expect(await run.handle.wait()).toEqual({ exitCode: 0 });
    await run.output.ended;
    const dir = run.output.stdout();
    if (!context.subject().resultsDirOnHost) expect(dir).toBe(CONTRACT_RESULTS_PATH);
    const files = await run.handle.results(1000);
    expect(files.map((file) => [file.path, decode(file.content)])).toEqual([
      ["expanded.txt", `${dir}/expanded.txt|json=${dir}/x.ndjson $(TSTR_RESULTS_DIR)`],
    ]);
  });

  it("streams one results file on request, and nothing for missing files or symbolic links", async () => {
    const run = await context.start(
      context.spec(workloadScripts.writeResults + '\nln -s result.json "$TSTR_RESULTS_DIR/link.json"'),
    );
    expect(await run.handle.wait()).toEqual({ exitCode: 0 });
    const read = async (path: string) => {
      const stream = await run.handle.openResult?.(path);
      if (!stream) return undefined;
      let size = 0;
      for await (const chunk of stream) size += chunk.byteLength;
      return size;
    };
    expect(await read("big.bin")).toBe(5000);
    expect(await read("junit/a.xml")).toBe(21);
    expect(await read("missing.txt")).toBeUndefined();
    expect(await read("link.json")).toBeUndefined();
    expect(await read("junit")).toBeUndefined();
  });

  it("surfaces a missing command as the backend documents", async () => {
    const expected = context.subject().missingCommand;
    const spec = context.spec("", { command: ["tstr-contract-no-such-command"] });
    if ("reason" in expected) {
      const failure = context.subject().executor.start(spec, new AbortController().signal);
      await expect(failure).rejects.toBeInstanceOf(ExecutorError);
      await expect(failure).rejects.toMatchObject({ reason: expected.reason });
      expect(await context.leftovers(spec)).toEqual([]);
    } else {
      const run = await context.start(spec);
      expect((await run.handle.wait()).exitCode).toBe(127);
    }
  });
}
