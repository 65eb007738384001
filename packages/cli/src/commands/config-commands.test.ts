import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { DataService, GetTestResponseSchema } from "@tstr/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../run-cli.js";
import { captureIo } from "../test-support/capture-io.js";
import { type FakeApiServer, startFakeApiServer } from "../test-support/fake-api-server.js";

let server: FakeApiServer;

beforeAll(async () => {
  server = await startFakeApiServer((router) =>
    router.service(DataService, { getTest: (req) => create(GetTestResponseSchema, { test: { name: req.name } }) }),
  );
});

afterAll(() => server.close());

describe("tstrctl config", () => {
  it("stores contexts in a 0600 file and uses the current one for calls", async () => {
    const io = captureIo();
    const run = async (...args: string[]) => {
      io.out = "";
      io.err = "";
      return runCli(args, io);
    };
    const path = join(io.homeDir, ".config/tstr/config.yaml");

    expect(await run("config", "current-context")).toBe(1);
    expect(io.err).toBe(
      `tstrctl: no current context is set in ${path}\nhint: set one with \`tstrctl config use-context NAME\`\n`,
    );

    expect(
      await run(
        "config",
        "set-context",
        "local",
        "--addr",
        server.addr,
        "--token",
        "tok-local",
        "-n",
        "team-a",
        "--use",
      ),
    ).toBe(0);
    expect(io.out).toBe('context "local" created\nswitched to context "local"\n');
    expect((await stat(path)).mode & 0o777).toBe(0o600);

    expect(await run("config", "set-context", "prod", "--addr", "prod.example:443")).toBe(0);
    expect(await run("config", "set-context", "prod", "--namespace", "web")).toBe(0);
    expect(io.out).toBe('context "prod" updated\n');

    expect(await run("config", "get-contexts")).toBe(0);
    expect(
      io.out
        .trimEnd()
        .split("\n")
        .map((line) => line.split(/ {3,}/)),
    ).toEqual([
      ["CURRENT", "NAME", "ADDR", "NAMESPACE", "TOKEN"],
      ["*", "local", server.addr, "team-a", "yes"],
      ["-", "prod", "http://prod.example:443", "web", "no"],
    ]);
    expect(await run("config", "get-contexts", "-o", "json")).toBe(0);
    expect(JSON.parse(io.out)).toMatchObject({
      currentContext: "local",
      contexts: [{ name: "local", hasToken: true }, { name: "prod" }],
    });
    expect(io.out).not.toContain("tok-local");

    expect(await run("test", "get", "web")).toBe(0);
    expect(server.calls.at(-1)).toMatchObject({ authorization: "Bearer tok-local", namespace: "team-a" });

    expect(await run("config", "use-context", "prod")).toBe(0);
    expect(await run("config", "current-context")).toBe(0);
    expect(io.out).toBe("prod\n");
    expect(await readFile(path, "utf8")).toContain("currentContext: prod");

    expect(await run("config", "use-context", "nope")).toBe(1);
    expect(io.err).toContain('tstrctl: context "nope" is not defined in');

    expect(await run("config", "set-context", "local", "--token", "")).toBe(0);
    expect(await readFile(path, "utf8")).not.toContain("tok-local");
  });

  it("reads the file named by TSTR_CONFIG and lets --context pick a context", async () => {
    const io = captureIo();
    io.env = { TSTR_CONFIG: "custom.yaml" };
    await runCli(["config", "set-context", "one", "--addr", server.addr, "--token", "tok-one"], io);
    expect(await readFile(join(io.cwd, "custom.yaml"), "utf8")).toContain("tok-one");
    expect(await runCli(["test", "get", "web", "--context", "one"], io)).toBe(0);
    expect(server.calls.at(-1)).toMatchObject({ authorization: "Bearer tok-one", namespace: "default" });
    expect(await runCli(["test", "get", "web", "--context", "two"], io)).toBe(1);
    expect(io.err).toContain('tstrctl: context "two" (from --context) is not defined in');
  });
});
