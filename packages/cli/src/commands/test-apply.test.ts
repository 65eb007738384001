import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, equals } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  ApplyTestResponse_Outcome,
  ApplyTestResponseSchema,
  ControlService,
  type RegisterTestRequest,
  RegisterTestRequestSchema,
} from "@tstr/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../run-cli.js";
import { captureIo } from "../test-support/capture-io.js";
import { closedAddr, type FakeApiServer, startFakeApiServer } from "../test-support/fake-api-server.js";

let server: FakeApiServer;
let cwd: string;
const stored = new Map<string, RegisterTestRequest>();

beforeAll(async () => {
  server = await startFakeApiServer((router) =>
    router.service(ControlService, {
      applyTest: ({ test, dryRun }, context) => {
        if (context.requestHeader.get("authorization") !== "Bearer good") {
          throw new ConnectError("invalid token", Code.Unauthenticated);
        }
        if (!test) throw new ConnectError("test: required", Code.InvalidArgument);
        if (test.name === "refused")
          throw new ConnectError("run_config.container_image: required", Code.InvalidArgument);
        const key = `${test.namespace}/${test.name}`;
        const before = stored.get(key);
        if (!dryRun) stored.set(key, test);
        const outcome = !before
          ? ApplyTestResponse_Outcome.CREATED
          : equals(RegisterTestRequestSchema, before, test)
            ? ApplyTestResponse_Outcome.UNCHANGED
            : ApplyTestResponse_Outcome.UPDATED;
        return create(ApplyTestResponseSchema, { test: { name: test.name, namespace: test.namespace }, outcome });
      },
    }),
  );
  cwd = await mkdtemp(join(tmpdir(), "tstr-cli-apply-"));
  await mkdir(join(cwd, "tests"));
  await writeFile(join(cwd, "tests/web.yaml"), "name: web\nlabels: {team: web}\n---\nname: web\nnamespace: team-a\n");
  await writeFile(join(cwd, "tests/api.json"), JSON.stringify({ name: "api", run_config: { timeout: "15s" } }));
  await writeFile(
    join(cwd, "bad.yaml"),
    "name: ok\n---\nname: b\nrun_config: {timeout: 5 parsecs}\n---\nkind: Suite\n",
  );
  await writeFile(join(cwd, "refused.yaml"), "name: first\n---\nname: refused\n---\nname: last\n");
});

afterAll(() => server.close());

async function apply(args: string[], token = "good", addr = server.addr) {
  const io = captureIo({ cwd, env: { TSTR_ADDR: addr, TSTR_TOKEN: token, TSTR_NAMESPACE: "dev" } });
  const code = await runCli(["test", "apply", ...args], io);
  return { code, out: io.out, err: io.err };
}

describe("tstrctl test apply", () => {
  it("applies every document, in the document's namespace or the configured one", async () => {
    const first = await apply(["-f", "tests"]);
    expect(first).toEqual({
      code: 0,
      out: "test/dev/api created\ntest/dev/web created\ntest/team-a/web created\n",
      err: "",
    });
    expect(server.calls.slice(-3).map((c) => [c.namespace, c.authorization])).toEqual([
      ["dev", "Bearer good"],
      ["dev", "Bearer good"],
      ["team-a", "Bearer good"],
    ]);
    expect(stored.get("dev/api")?.runConfig?.timeout?.seconds).toBe(15n);
  });

  it("reports unchanged and updated tests, and dry runs", async () => {
    await writeFile(join(cwd, "changed.yaml"), "name: web\nlabels: {team: platform}\n");
    expect((await apply(["-f", "tests/web.yaml"])).out).toBe("test/dev/web unchanged\ntest/team-a/web unchanged\n");
    expect((await apply(["-f", "changed.yaml", "--dry-run"])).out).toBe("test/dev/web updated (dry run)\n");
    expect(stored.get("dev/web")?.labels).toEqual({ team: "web" });
  });

  it("validates everything first and applies nothing when a document is bad", async () => {
    const callsBefore = server.calls.length;
    const result = await apply(["-f", "bad.yaml", "-f", "tests/api.json"]);
    expect(result.code).toBe(1);
    expect(result.out).toBe("");
    expect(result.err).toBe(
      [
        'tstrctl: bad.yaml (document 2): run_config.timeout: invalid duration "5 parsecs"',
        "tstrctl: bad.yaml (document 3): kind: Suite documents are applied with `tstrctl apply -f`, not `test apply`",
        "tstrctl: 2 problems found; nothing was applied",
        "",
      ].join("\n"),
    );
    expect(server.calls.length).toBe(callsBefore);
  });

  it("keeps applying after the server refuses one document, then fails", async () => {
    const result = await apply(["-f", "refused.yaml"]);
    expect(result.code).toBe(1);
    expect(result.out).toBe("test/dev/first created\ntest/dev/last created\n");
    expect(result.err).toBe(
      [
        "tstrctl: refused.yaml (document 2): test/dev/refused: run_config.container_image: required",
        "tstrctl: 1 test of 3 could not be applied",
        "",
      ].join("\n"),
    );
  });

  it("prints ApplyTestResponse JSON with -o json", async () => {
    const result = await apply(["-f", "tests/api.json", "-o", "json"]);
    expect(JSON.parse(result.out)).toEqual([{ test: { name: "api", namespace: "dev" }, outcome: "OUTCOME_UNCHANGED" }]);
  });

  it("stops at the first call when the token is refused or the server is unreachable", async () => {
    const unauthenticated = await apply(["-f", "tests"], "bad");
    expect(unauthenticated.code).toBe(1);
    expect(unauthenticated.err).toBe(
      "tstrctl: not authenticated: invalid token\nhint: pass --token or set TSTR_TOKEN (or store one with `tstrctl config set-context NAME --token …`)\n",
    );
    const addr = await closedAddr();
    const unreachable = await apply(["-f", "tests"], "good", addr);
    expect(unreachable.code).toBe(1);
    expect(unreachable.err.split("\n")[0]).toBe(
      `tstrctl: cannot reach ${addr}: is tstr running? (tstr dev starts one)`,
    );
  });

  it("needs -f, and refuses -f - from a terminal", async () => {
    expect((await apply([])).code).toBe(2);
    const io = captureIo({ cwd, stdinIsTTY: true, readStdin: async () => "" });
    expect(await runCli(["test", "apply", "-f", "-"], io)).toBe(2);
    expect(io.err).toContain("standard input, but it is a terminal");
  });

  it("reads definitions from standard input", async () => {
    const io = captureIo({
      cwd,
      env: { TSTR_ADDR: server.addr, TSTR_TOKEN: "good" },
      stdinIsTTY: false,
      readStdin: async () => '{"name": "piped"}',
    });
    expect(await runCli(["test", "apply", "-f", "-"], io)).toBe(0);
    expect(io.out).toBe("test/default/piped created\n");
  });

  it("applies the example test definitions as they are", async () => {
    const examples = join(import.meta.dirname, "../../examples");
    const files = ["hello.yaml", "smoke.yaml", "tstr-compatible.json"].flatMap((f) => ["-f", join(examples, f)]);
    const result = await apply(files);
    expect(result).toMatchObject({ code: 0, err: "" });
    expect(result.out).toBe(
      [
        "test/dev/hello created",
        "test/dev/failing created",
        "test/default/busybox-echo created",
        "test/default/busybox-matrix created",
        "test/dev/tstr-compatible created",
        "",
      ].join("\n"),
    );
    expect(stored.get("default/busybox-matrix")?.matrix?.exclude[0]?.labels).toEqual({ os: "windows", arch: "arm64" });
    expect(stored.get("default/busybox-echo")?.timezone).toBe("Europe/Paris");
  });
});
