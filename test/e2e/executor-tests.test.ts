import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Code, ConnectError } from "@connectrpc/connect";
import { ControlService, DataService, Run_Result, TestCase_Status } from "@tstr/proto";
import { useTestDatabase } from "@tstr/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientOf, issueToken, transportFor } from "./support/clients.js";
import { waitForRun } from "./support/runs.js";
import { runTstr, spawnTstr, startServeProcess, type TstrProcess, waitFor } from "./support/tstr-process.js";

// Tests that name an executor and supply only their files: the newman example run by a real
// `tstr runner --executor process` with newman from npm on its PATH (no image registry is
// reachable here), its JUnit report collected as test cases; unknown executors and file types
// the executor does not accept are refused.

const ROOT = path.resolve(import.meta.dirname, "../..");
const EXAMPLE = path.join(ROOT, "packages/cli/examples/newman.yaml");
const database = useTestDatabase();
let server: { proc: TstrProcess; url: string; bootstrapToken?: string };
let runner: TstrProcess | undefined;
let workDir = "";
let admin = "";

const control = () => clientOf(ControlService, transportFor(server.url, { token: admin }));
const data = () => clientOf(DataService, transportFor(server.url, { token: admin }));
const bytes = (text: string) => new TextEncoder().encode(text);
const ctl = (...args: string[]) => runTstr(["ctl", ...args], { TSTR_ADDR: server.url, TSTR_TOKEN: admin });
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected the call to be refused");
    },
    (e: unknown) => ConnectError.from(e),
  );

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), "tstr-executor-tests-"));
  server = await startServeProcess(database.url);
  admin = server.bootstrapToken ?? "";
  const token = (await issueToken(server.url, admin, ["runner"], [".*"])).token;
  const proc = spawnTstr(
    ["runner", "--server", server.url, "--token", token, "--log-level", "info"].concat([
      "--name",
      "newman-runner",
      "--executor",
      "process",
      "--work-dir",
      path.join(workDir, "runs"),
    ]),
    // newman is a dev dependency of the repository: its bin folder on the runner's PATH.
    { PATH: `${path.join(ROOT, "node_modules/.bin")}:${process.env.PATH ?? ""}` },
  );
  runner = proc;
  await waitFor(proc, () => (/"msg":"running"/.test(proc.stderr()) ? true : undefined));
  // The example targets `pnpm dev` (127.0.0.1:7420); point it at this server.
  const example = (await readFile(EXAMPLE, "utf8")).replace("http://127.0.0.1:7420", server.url);
  await writeFile(path.join(workDir, "newman.yaml"), example);
}, 90_000);

afterAll(async () => {
  await runner?.stop();
  await server?.proc.stop();
  await rm(workDir, { recursive: true, force: true });
});

describe("a test that names an executor", () => {
  it("runs the newman example from its collection alone and collects its JUnit test cases", async () => {
    const applied = await ctl("apply", "-f", path.join(workDir, "newman.yaml"));
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain("test/default/api-smoke created");
    const run = await ctl("run", "schedule", "api-smoke", "--wait", "--timeout", "60s");
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    // newman's own CLI report is the run's log.
    expect(run.stdout).toContain("health check answers ok");
    const runId = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/.exec(run.stdout + run.stderr)?.[1];
    expect(runId, run.stdout + run.stderr).toBeDefined();
    const finished = await waitForRun(data(), runId ?? "");
    expect(finished.result).toBe(Run_Result.PASS);
    // The snapshot carries what the executor filled in: newman run <collection> ….
    expect(finished.testRunConfig?.command).toBe("newman");
    expect(finished.testRunConfig?.args).toEqual([
      "run",
      "tstr-api.postman_collection.json",
      "--reporters",
      "cli,junit",
      "--reporter-junit-export",
      "$(TSTR_RESULTS_DIR)/junit/newman.xml",
    ]);
    const { testCases } = await data().listTestCases({ runId });
    expect(testCases.map((c) => [c.name, c.status]).sort()).toEqual([
      ["server says ok", TestCase_Status.PASSED],
      ["status is 200", TestCase_Status.PASSED],
      ["status is 404", TestCase_Status.PASSED],
    ]);
  }, 90_000);

  it("ends FAIL with the failed assertion as a failed test case when the collection's checks fail", async () => {
    const example = await readFile(path.join(workDir, "newman.yaml"), "utf8");
    const broken = example
      .replace("name: api-smoke", "name: api-smoke-broken")
      .replace("pm.response.to.have.status(404)", "pm.response.to.have.status(418)");
    await writeFile(path.join(workDir, "broken.yaml"), broken);
    expect((await ctl("apply", "-f", path.join(workDir, "broken.yaml"))).code).toBe(0);
    const { runs } = await control().scheduleRun({ testName: "api-smoke-broken" });
    const finished = await waitForRun(data(), runs[0]?.id ?? "", undefined, 60_000);
    expect(finished.result).toBe(Run_Result.FAIL);
    const { testCases } = await data().listTestCases({ runId: finished.id });
    const failed = testCases.filter((c) => c.status === TestCase_Status.FAILED).map((c) => c.name);
    expect(failed).toEqual(["status is 404"]);
  }, 90_000);

  it("refuses an unknown executor, naming it and where it was looked for", async () => {
    const error = await refusal(
      control().registerTest({ name: "typo", executor: "newmann", runConfig: { files: [{ path: "c.json" }] } }),
    );
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.rawMessage).toContain(
      'executor: executor "newmann" not found in namespace "default" or among the global executors',
    );
  });

  it("refuses files of a type the executor does not accept, naming each file", async () => {
    const error = await refusal(
      control().registerTest({
        name: "wrong-files",
        executor: "newman",
        runConfig: {
          files: [
            { path: "collection.json", content: bytes("{}") },
            { path: "notes.md", content: bytes("") },
          ],
        },
      }),
    );
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.rawMessage).toContain(
      'run_config.files[1].path: "notes.md" is not a file type executor newman accepts (.json, .csv)',
    );
    // An update is checked the same way.
    await control().registerTest({
      name: "right-files",
      executor: "newman",
      runConfig: { files: [{ path: "collection.json", content: bytes("{}") }] },
    });
    const update = await refusal(
      control().applyTest({
        test: {
          name: "right-files",
          executor: "newman",
          runConfig: { files: [{ path: "collection.yaml", content: bytes("") }] },
        },
      }),
    );
    expect(update.rawMessage).toContain('"collection.yaml" is not a file type executor newman accepts');
  });

  it("checks a synced batch against the executors it defines, and changes nothing when a reference is wrong", async () => {
    const executorDoc = [
      "kind: Executor",
      "name: team-newman",
      "image: postman/newman:6",
      "command: [newman, run]",
      "accepted_file_types: [.json]",
      "result_parsers: [JUNIT]",
      "junit_path: junit/newman.xml",
    ].join("\n");
    const testDoc = (executor: string) =>
      [
        "kind: Test",
        "name: team-api",
        `executor: ${executor}`,
        "run_config:",
        "  files:",
        "    - path: c.json",
        "      content: '{}'",
      ].join("\n");
    const dry = await control().syncDefinitions({
      source: "cli:executor-refs",
      dryRun: true,
      documents: [{ file: "defs.yaml", content: `${executorDoc}\n---\n${testDoc("team-newman")}` }],
    });
    expect(dry.problems).toEqual([]);
    expect(dry.changes.map((c) => `${c.kind}/${c.name} ${c.action}`)).toEqual(
      expect.arrayContaining(["executor/team-newman created", "test/team-api created"]),
    );
    const wrong = await control().syncDefinitions({
      source: "cli:executor-refs",
      documents: [{ file: "defs.yaml", content: `${executorDoc}\n---\n${testDoc("team-newmann")}` }],
    });
    expect(wrong.changes).toEqual([]);
    expect(wrong.problems.map((p) => `${p.file} ${p.field}: ${p.message}`)).toEqual([
      'defs.yaml executor: document 2: executor "team-newmann" not found in namespace "default" or among the global executors (`tstrctl executor list` shows them)',
    ]);
    expect((await control().listExecutors({})).executors.map((e) => e.name)).not.toContain("team-newman");
  });

  it("schedules many runs of an executor test at once without starving the connection pool", async () => {
    // The executor is resolved inside each schedule's transaction; reading it through a second
    // pooled connection would let 10+ concurrent schedules (the pool's size) wait on each other.
    await control().registerTest({
      name: "burst",
      executor: "newman",
      labels: { burst: "yes" },
      runConfig: { files: [{ path: "c.json", content: bytes("{}") }] },
    });
    const started = Date.now();
    const scheduled = await Promise.race([
      Promise.all(Array.from({ length: 24 }, () => control().scheduleRun({ testName: "burst" }))),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error("24 concurrent ScheduleRun calls did not finish in 20 s")), 20_000),
      ),
    ]);
    expect(scheduled.flatMap((r) => r.runs)).toHaveLength(24);
    expect(Date.now() - started).toBeLessThan(20_000);
    for (const { runs } of scheduled) await control().cancelRun({ runId: runs[0]?.id ?? "" });
  }, 60_000);

  it("refuses to schedule a test whose executor was deleted since, saying what to do", async () => {
    await control().applyExecutor({
      executor: {
        name: "short-lived",
        namespace: "default",
        image: "postman/newman",
        command: ["newman", "run"],
        acceptedFileTypes: [".json"],
      },
    });
    await control().registerTest({
      name: "orphaned",
      executor: "short-lived",
      runConfig: { files: [{ path: "c.json", content: bytes("{}") }] },
    });
    await control().deleteExecutor({ name: "short-lived", namespace: "default" });
    const error = await refusal(control().scheduleRun({ testName: "orphaned" }));
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.rawMessage).toBe(
      'test "default/orphaned" names executor "short-lived", which no longer exists; apply the executor again or change the test\'s executor',
    );
  });
});
