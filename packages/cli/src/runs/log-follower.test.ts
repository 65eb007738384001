import { Code, ConnectError } from "@connectrpc/connect";
import { LogStream } from "@tstr/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiClients } from "../client/api-clients.js";
import { closedAddr, type FakeApiServer, startFakeApiServer } from "../test-support/fake-api-server.js";
import { createFakeRunsApi } from "../test-support/fake-runs-api.js";
import { followLogs } from "./log-follower.js";

const fake = createFakeRunsApi();
let server: FakeApiServer;

beforeAll(async () => {
  server = await startFakeApiServer((router) => fake.routes(router));
  fake.attach(server);
});

afterAll(() => server.close());

describe("followLogs", () => {
  it("keeps retrying an unreachable server with growing delays, then throws its error", async () => {
    const { data } = createApiClients({ addr: await closedAddr() });
    const delays: number[] = [];
    const failure = await followLogs(data, {
      runId: "r",
      follow: true,
      signal: new AbortController().signal,
      onChunk: () => {},
      onReconnect: (_, delay) => delays.push(delay),
      giveUpAfterMs: 600,
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConnectError);
    expect((failure as ConnectError).code).toBe(Code.Unavailable);
    expect(delays.length).toBeGreaterThanOrEqual(3);
    expect(delays[2]).toBeGreaterThan(delays[0] ?? 0);
  });

  it("stops when the signal aborts during the wait to reconnect", async () => {
    const { data } = createApiClients({ addr: await closedAddr() });
    const controller = new AbortController();
    const outcome = await followLogs(data, {
      runId: "r",
      follow: true,
      signal: controller.signal,
      onChunk: () => {},
      onReconnect: () => controller.abort(),
    });
    expect(outcome).toEqual({ kind: "stopped" });
  });

  it("with an attempt, stops at the first chunk of a later attempt", async () => {
    const { run } = fake.addRun({
      run: { id: "r-attempts" },
      log: [
        [LogStream.STDOUT, "one", 1],
        [LogStream.STDOUT, "two", 2],
        [LogStream.STDOUT, "two again", 2],
        [LogStream.STDOUT, "three", 3],
      ],
    });
    const seen: string[] = [];
    const outcome = await followLogs(createApiClients({ addr: server.addr }).data, {
      runId: run.id,
      follow: true,
      attempt: 2,
      signal: new AbortController().signal,
      onChunk: (chunk) => seen.push(new TextDecoder().decode(chunk.data)),
    });
    expect(outcome).toEqual({ kind: "attempt-ended" });
    expect(seen).toEqual(["two", "two again"]);
  });
});
