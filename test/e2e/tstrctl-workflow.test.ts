import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { useTestDatabase } from "@tstr/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTstr, startServeProcess, type TstrProcess } from "./support/tstr-process.js";

// What a user does after `tstr dev`: tstrctl against a real server process.

const EXAMPLES = path.resolve(import.meta.dirname, "../../packages/cli/examples");
const database = useTestDatabase();
let server: { proc: TstrProcess; url: string; bootstrapToken?: string };
let env: Record<string, string>;

const ctl = (...args: string[]) => runTstr(["ctl", ...args], env);

beforeAll(async () => {
  server = await startServeProcess(database.url);
  const home = await mkdtemp(path.join(os.tmpdir(), "tstrctl-home-"));
  env = {
    TSTR_ADDR: server.url,
    TSTR_TOKEN: server.bootstrapToken ?? "",
    HOME: home,
    TSTR_CONFIG: path.join(home, "config.yaml"),
  };
}, 60_000);
afterAll(() => server?.proc.stop());

describe("tstrctl against tstr serve", () => {
  it("shows who the caller is", async () => {
    const result = await ctl("identity");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("bootstrap-admin");
    expect(result.stdout).toContain("admin");
  });

  it("applies an example folder, idempotently", async () => {
    const first = await ctl("apply", "-f", EXAMPLES);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain("test/default/busybox-echo created");
    const second = await ctl("apply", "-f", EXAMPLES);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain("test/default/busybox-echo unchanged");
  });

  it("lists and shows the registered tests with their next fire times", async () => {
    const list = await ctl("test", "list");
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/busybox-echo/);
    expect(list.stdout).toMatch(/busybox-matrix/);
    const json = await ctl("test", "list", "--selector", "tier=smoke", "-o", "json");
    expect(
      JSON.parse(json.stdout)
        .tests.map((t: { name: string }) => t.name)
        .sort(),
    ).toEqual(["busybox-echo", "busybox-matrix"]);
    const get = await ctl("test", "get", "busybox-echo", "-o", "json");
    expect(JSON.parse(get.stdout).nextFireTimes).toHaveLength(5);
  });

  it("deletes a test by name", async () => {
    expect((await ctl("test", "delete", "busybox-matrix")).code).toBe(0);
    const missing = await ctl("test", "get", "busybox-matrix");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("not found");
  });

  it("issues a scoped token that is refused outside its scope, and revokes it", async () => {
    const issued = await ctl(
      "token",
      "issue",
      "--name",
      "reader",
      "--scope",
      "data:read",
      "--namespace-selector",
      "default",
    );
    expect(issued.code, issued.stderr).toBe(0);
    const reader = issued.stdout.trim();
    const asReader = (...args: string[]) => runTstr(["ctl", ...args], { ...env, TSTR_TOKEN: reader });
    const listed = await asReader("test", "list");
    expect(listed.code, listed.stderr).toBe(0);
    const denied = await asReader("test", "delete", "busybox-echo");
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('needs scope "control:write"');
    const id = JSON.parse((await asReader("identity", "-o", "json")).stdout).accessToken.id as string;
    expect((await ctl("token", "revoke", id)).code).toBe(0);
    await new Promise((r) => setTimeout(r, 2500));
    const revoked = await asReader("test", "list");
    expect(revoked.code).toBe(1);
    expect(revoked.stderr).toContain("revoked");
  });

  it("explains a missing token and an unreachable server in one line each", async () => {
    const noToken = await runTstr(["ctl", "test", "list"], { ...env, TSTR_TOKEN: "" });
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toMatch(/token/i);
    const down = await runTstr(["ctl", "test", "list"], { ...env, TSTR_ADDR: "http://127.0.0.1:9" });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain("cannot reach");
  });
});
