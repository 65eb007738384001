import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type ControlPlane, createJsonLogger, startControlPlane } from "@tstr/control-plane";
import type { NdjsonResult } from "@tstr/k6";
import { ControlService, DataService, Run_Result } from "@tstr/proto";
import { useTestDatabase } from "@tstr/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientOf, issueToken, transportFor } from "./support/clients.js";
import { aggregateLines, fixtureLines, handRunner, k6Results, splitPoints } from "./support/k6-reports.js";
import { spawnTstr, type TstrProcess, waitFor } from "./support/tstr-process.js";

// Optional LLM summaries of k6 reports, against a fake OpenAI-compatible server on 127.0.0.1 that
// answers, fails with 500, answers garbage or never answers. A summary is asked for after a report
// is stored; whatever the model does, reports are stored and runs finish as usual.

const FAILING = "rodolfodpk_desafio-votacao_k6-results.first2000lines.ndjson";
const ANSWER = "The service answered fast but 19.7 % of requests failed; look at the 4xx responses first.";
const TIMEOUT_MS = 800;

type Mode = "answer" | "fail" | "garbage" | "hang";
interface SeenRequest {
  path: string;
  authorization?: string;
  body: { model: string; messages: { role: string; content: string }[] };
}

const database = useTestDatabase();
let plane: ControlPlane;
let admin: string;
let registration: string;
let llm: { url: string; mode: Mode; requests: SeenRequest[]; server: Server };
const logLines: string[] = [];
let failing: NdjsonResult;

/** The fake model: records every request and answers as `mode` says. */
async function startFakeLlm() {
  const state = { mode: "answer" as Mode, requests: [] as SeenRequest[] };
  const server = createServer(async (req, res) => {
    const body = JSON.parse(await readBody(req));
    state.requests.push({ path: req.url ?? "", authorization: req.headers.authorization, body });
    if (state.mode === "hang") return;
    if (state.mode === "fail") return res.writeHead(500).end("model overloaded");
    res.writeHead(200, { "content-type": "application/json" });
    if (state.mode === "garbage") return res.end("<html>not json</html>");
    res.end(JSON.stringify({ choices: [{ index: 0, message: { role: "assistant", content: `  ${ANSWER}\n` } }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return Object.assign(state, { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
}

async function readBody(req: IncomingMessage): Promise<string> {
  let text = "";
  for await (const chunk of req) text += chunk;
  return text;
}

beforeAll(async () => {
  llm = await startFakeLlm();
  failing = aggregateLines(fixtureLines(FAILING));
  plane = await startControlPlane(
    { db: database.db, logger: createJsonLogger((line) => logLines.push(line), "debug") },
    {
      host: "127.0.0.1",
      port: 0,
      cron: false,
      k6: { llm: { endpoint: llm.url, model: "tiny-model", apiKey: "sekret", timeoutMs: TIMEOUT_MS } },
    },
  );
  admin = plane.bootstrapToken ?? "";
  registration = (await issueToken(plane.url, admin, ["runner"], [".*"])).token;
});
afterAll(async () => {
  await plane?.stop();
  llm?.server.closeAllConnections();
  llm?.server.close();
});

/** Polls until `probe` returns a value (at most `ms`). */
async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`nothing after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A k6 run of a new test through the runner API of `url`: reported with FAILING's results, finished. */
async function k6RunThrough(url: string, token: string, regToken: string, name: string) {
  const control = clientOf(ControlService, transportFor(url, { token }));
  await control.registerTest({
    name,
    labels: { llm: name },
    executor: "k6",
    runConfig: { containerImage: "grafana/k6" },
  });
  const runId = (await control.scheduleRun({ testName: name })).runs[0]?.id ?? "";
  const runner = await handRunner(url, regToken, name, `llm=${name}`);
  const attempt = (await runner.take(1)).get(runId) ?? 0;
  await runner.start(runId, attempt);
  const started = Date.now();
  await runner.report(k6Results(runId, attempt, failing));
  const reportMs = Date.now() - started;
  await runner.finish(runId, attempt);
  return { runId, reportMs };
}

const data = (url = plane.url, token = admin) => clientOf(DataService, transportFor(url, { token }));
const summaryOf = async (runId: string, url?: string, token?: string) =>
  (await data(url, token).getK6Report({ runId })).report?.llmSummary;

describe("LLM summaries of k6 reports", () => {
  it("asks an OpenAI-compatible model with a compact prompt and stores its answer", async () => {
    llm.mode = "answer";
    const before = llm.requests.length;
    const { runId } = await k6RunThrough(plane.url, admin, registration, "answered");
    expect(await eventually(async () => (await summaryOf(runId)) || undefined)).toBe(ANSWER);
    const request = llm.requests[before] as SeenRequest;
    expect(request.path).toBe("/v1/chat/completions");
    expect(request.authorization).toBe("Bearer sekret");
    expect(request.body.model).toBe("tiny-model");
    const prompt = request.body.messages.find((m) => m.role === "user")?.content ?? "";
    expect(prompt).toContain("Test: answered (llm=answered)");
    expect(prompt).toContain("Verdict: PASS");
    expect(prompt).toMatch(/- http_req_duration \(trend\): avg=23\.62 min=4\.397 med=12\.18/);
    expect(prompt).toMatch(/- \[critical\] HIGH_ERROR_RATE: 19\.7 % of HTTP requests failed/);
    expect(prompt.length).toBeLessThan(4000);
  });

  it.each<[string, Mode, string]>([
    ["answers 500", "fail", "HTTP 500: model overloaded"],
    ["answers garbage", "garbage", "the answer is not JSON"],
    ["never answers", "hang", `no answer within ${TIMEOUT_MS} ms`],
  ])("when the model %s, the report is stored without a summary and nothing fails", async (_, mode, logged) => {
    llm.mode = mode;
    const before = llm.requests.length;
    const { runId, reportMs } = await k6RunThrough(plane.url, admin, registration, `model-${mode}`);
    expect(reportMs).toBeLessThan(TIMEOUT_MS);
    expect((await data().getRun({ id: runId })).run?.result).toBe(Run_Result.PASS);
    const warning = await eventually(() =>
      logLines.find((l) => l.includes("could not get an LLM summary") && l.includes(runId)),
    );
    expect(JSON.parse(warning)).toMatchObject({ level: "warn", runId, error: expect.stringContaining(logged) });
    expect(llm.requests.length).toBe(before + 1);
    expect(await summaryOf(runId)).toBe("");
  });

  it("summarises a distributed run once, on its merged report", async () => {
    llm.mode = "answer";
    const control = clientOf(ControlService, transportFor(plane.url, { token: admin }));
    await control.registerTest({
      name: "sharded",
      labels: { llm: "sharded" },
      executor: "k6",
      runConfig: { containerImage: "grafana/k6" },
      shards: 2,
    });
    const scheduled = await control.scheduleRun({ testName: "sharded" });
    // Shards of one group go to different runners: one per runner.
    const runners = [
      await handRunner(plane.url, registration, "sharded-a", "llm=sharded"),
      await handRunner(plane.url, registration, "sharded-b", "llm=sharded"),
    ];
    const taken = new Map<string, { runner: (typeof runners)[number]; attempt: number }>();
    for (const runner of runners) {
      for (const [runId, attempt] of await runner.take(2)) taken.set(runId, { runner, attempt });
    }
    const parts = splitPoints(fixtureLines(FAILING), 2, ({ nth }) => nth % 2).map((p) => aggregateLines(p));
    const before = llm.requests.length;
    for (const run of scheduled.runs) {
      const holder = taken.get(run.id);
      if (!holder) throw new Error(`shard ${run.shardIndex} was not placed`);
      const { runner, attempt } = holder;
      await runner.start(run.id, attempt);
      await runner.report(k6Results(run.id, attempt, parts[run.shardIndex] as NdjsonResult, { shards: 2 }));
      await runner.finish(run.id, attempt);
    }
    const first = scheduled.runs[0]?.id ?? "";
    expect(await eventually(async () => (await summaryOf(first)) || undefined)).toBe(ANSWER);
    expect(llm.requests.length).toBe(before + 1);
    expect(llm.requests.at(-1)?.body.messages[1]?.content).toContain("Runners: 2");
  });
});

describe("tstr serve --llm-endpoint", () => {
  let serve: TstrProcess | undefined;
  afterAll(() => serve?.stop());

  it("passes the endpoint, the model and TSTR_LLM_API_KEY to the server", async () => {
    llm.mode = "answer";
    serve = spawnTstr(["serve", "--listen", "127.0.0.1:0", "--llm-endpoint", `${llm.url}/v1`, "--llm-model", "m2"], {
      DATABASE_URL: database.url,
      TSTR_LLM_API_KEY: "from-env",
    });
    const proc = serve;
    const url = await waitFor(proc, () => {
      const line = proc
        .stderr()
        .split("\n")
        .find((l) => l.includes('"msg":"serving"'));
      return line ? (JSON.parse(line) as { url: string }).url : undefined;
    });
    const before = llm.requests.length;
    const { runId } = await k6RunThrough(url, admin, registration, "via-serve");
    expect(await eventually(async () => (await summaryOf(runId, url)) || undefined)).toBe(ANSWER);
    expect(llm.requests[before]).toMatchObject({
      path: "/v1/chat/completions",
      authorization: "Bearer from-env",
      body: { model: "m2" },
    });
  });
});
