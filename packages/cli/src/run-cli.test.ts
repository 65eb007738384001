import { describe, expect, it } from "vitest";
import { runCli } from "./run-cli.js";
import { captureIo } from "./test-support/capture-io.js";

async function cli(...args: string[]) {
  const io = captureIo();
  const code = await runCli(args, io);
  return { code, out: io.out, err: io.err };
}

describe("runCli help", () => {
  it.each([
    [["--help"], "Usage: tstrctl [flags] <command> [args]"],
    [["-h"], "Usage: tstrctl [flags] <command> [args]"],
    [["help"], "Usage: tstrctl [flags] <command> [args]"],
    [["test", "--help"], "Usage: tstrctl test <command> [flags]"],
    [["help", "token"], "Usage: tstrctl token <command> [flags]"],
    [["config", "-h"], "Usage: tstrctl config <command> [flags]"],
    [["test", "apply", "--help"], "Usage: tstrctl test apply -f FILE|DIR"],
    [["--help", "token", "issue"], "Usage: tstrctl token issue --name NAME"],
    [["identity", "--help", "--bogus"], "Usage: tstrctl identity"],
    [["config", "set-context", "--help"], "Usage: tstrctl config set-context NAME"],
    [["run", "--help"], "Usage: tstrctl run <command> [flags]"],
    [["runner", "-h"], "Usage: tstrctl runner <command> [flags]"],
    [["run", "schedule", "--help"], "Usage: tstrctl run schedule NAME|ID"],
    [["logs", "-f", "--help"], "Usage: tstrctl logs RUN_ID [-f]"],
    [["runner", "get", "-h"], "Usage: tstrctl runner get ID|NAME"],
  ])("%j prints usage on stdout and exits 0", async (args, firstLine) => {
    const result = await cli(...args);
    expect(result.code).toBe(0);
    expect(result.err).toBe("");
    expect(result.out.split("\n")[0]).toContain(firstLine);
  });

  it("lists every command group and command", async () => {
    expect((await cli("--help")).out).toMatch(
      /identity[\s\S]*logs[\s\S]*test[\s\S]*run[\s\S]*runner[\s\S]*token[\s\S]*config/,
    );
    expect((await cli("run", "--help")).out).toMatch(/schedule[\s\S]*list[\s\S]*get[\s\S]*cancel/);
    expect((await cli("runner", "--help")).out).toMatch(/list[\s\S]*get/);
    expect((await cli("token", "--help")).out).toMatch(/issue[\s\S]*list[\s\S]*get[\s\S]*revoke/);
    expect((await cli("config", "--help")).out).toMatch(
      /set-context[\s\S]*use-context[\s\S]*get-contexts[\s\S]*current-context/,
    );
  });
});

describe("runCli usage errors exit 2 with the relevant usage on stderr", () => {
  it.each([
    [[], "tstrctl: missing command", "Usage: tstrctl [flags]"],
    [["frobnicate"], 'tstrctl: unknown command "frobnicate"', "Usage: tstrctl [flags]"],
    [["test"], "tstrctl: missing test command", "Usage: tstrctl test <command>"],
    [["token", "mint"], 'tstrctl: unknown command "token mint"', "Usage: tstrctl token <command>"],
    [["test", "list", "--bogus"], "tstrctl: unknown flag --bogus", "Usage: tstrctl test list"],
    [["test", "list", "-z"], "tstrctl: unknown flag -z", "Usage: tstrctl test list"],
    [["test", "get"], "tstrctl: missing argument", "Usage: tstrctl test get NAME|ID"],
    [["test", "get", "a", "b"], 'tstrctl: unexpected argument "b"', "Usage: tstrctl test get"],
    [["test", "list", "-n"], "tstrctl: flag -n, --namespace needs a value", "Usage: tstrctl test list"],
    [
      ["test", "list", "-o", "xml"],
      'tstrctl: unknown output format "xml" (use table, json or yaml)',
      "Usage: tstrctl test list",
    ],
    [["token", "revoke", "x", "-o", "json"], "tstrctl: unknown flag -o", "Usage: tstrctl token revoke ID"],
    [
      ["test", "apply", "--dry-run=yes", "-f", "x"],
      "tstrctl: option '--dry-run' does not take an argument",
      "Usage: tstrctl test apply",
    ],
    [["config", "use-context"], "tstrctl: missing argument", "Usage: tstrctl config use-context NAME"],
    [["run"], "tstrctl: missing run command", "Usage: tstrctl run <command>"],
    [["runner", "frobnicate"], 'tstrctl: unknown command "runner frobnicate"', "Usage: tstrctl runner <command>"],
    [["logs"], "tstrctl: missing argument", "Usage: tstrctl logs RUN_ID"],
    [["run", "cancel", "x", "-o", "json"], "tstrctl: unknown flag -o", "Usage: tstrctl run cancel RUN_ID"],
    [["run", "get", "a", "b"], 'tstrctl: unexpected argument "b"', "Usage: tstrctl run get RUN_ID"],
  ])("%j", async (args, message, usage) => {
    const result = await cli(...args);
    expect(result.code).toBe(2);
    expect(result.out).toBe("");
    const [first, , third] = result.err.split("\n");
    expect(first).toBe(message);
    expect(third).toContain(usage);
  });
});

describe("runCli failures", () => {
  it("reports a broken config file in one line with a hint, never a stack trace", async () => {
    const io = captureIo({ env: { TSTR_CONFIG: "/proc/definitely/not/here.yaml", TSTR_CONTEXT: "x" } });
    expect(await runCli(["identity"], io)).toBe(1);
    expect(io.err).toMatch(
      /^tstrctl: context "x" \(from TSTR_CONTEXT\) is not defined in \/proc\/definitely\/not\/here.yaml\nhint: /,
    );
    expect(io.err).not.toMatch(/\n\s+at /);
  });

  it("accepts global flags before the command", async () => {
    const io = captureIo({ env: {} });
    expect(await runCli(["--addr", "http://127.0.0.1:9", "-n", "x", "test", "get", "--help"], io)).toBe(0);
    expect(io.out).toContain("Usage: tstrctl test get");
  });
});
