import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clone, create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  ControlService,
  DataService,
  Run_Result,
  TestSchema,
  type Webhook,
  WebhookDeliverySchema,
  WebhookEvent,
  WebhookSchema,
} from "@tstr/proto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../run-cli.js";
import { captureIo } from "../test-support/capture-io.js";
import { type FakeApiServer, startFakeApiServer } from "../test-support/fake-api-server.js";

// `tstrctl webhook apply|list|delete|deliveries` against a fake API server over a real socket.

const HOOK_ID = "7a1b2c3d-0000-4000-8000-000000000001";
const TEST_ID = "7a1b2c3d-0000-4000-8000-0000000000aa";
const RUN = (n: number) => `7a1b2c3d-0000-4000-8000-00000000010${n}`;
const at = (iso: string) => timestampFromDate(new Date(iso));

let server: FakeApiServer;
const hooks: Webhook[] = [];

const CHAT = create(WebhookSchema, {
  id: HOOK_ID,
  namespace: "dev",
  name: "chat",
  url: "https://hooks.example.com/tstr",
  events: [WebhookEvent.RUN_FINISHED, WebhookEvent.TEST_BECAME_FAILING],
  testSelector: "tier=example",
  results: [Run_Result.FAIL, Run_Result.ERROR],
  enabled: true,
});

beforeAll(async () => {
  server = await startFakeApiServer((router) => {
    router.service(ControlService, {
      applyWebhook: ({ webhook }) => {
        if (!webhook?.secret && !hooks.some((h) => h.name === webhook?.name)) {
          throw new ConnectError(
            "invalid request: secret: is required when a webhook is created",
            Code.InvalidArgument,
          );
        }
        const stored = clone(WebhookSchema, webhook ?? create(WebhookSchema));
        stored.id = HOOK_ID;
        stored.secret = "";
        return { webhook: stored };
      },
      listWebhooks: ({ namespace }) => ({ webhooks: hooks.filter((h) => h.namespace === namespace) }),
      deleteWebhook: ({ id }) => {
        hooks.splice(
          hooks.findIndex((h) => h.id === id),
          1,
        );
        return {};
      },
      listWebhookDeliveries: () => ({
        deliveries: [
          create(WebhookDeliverySchema, {
            id: "d3",
            webhookId: HOOK_ID,
            event: WebhookEvent.TEST_BECAME_FAILING,
            runId: RUN(3),
            testId: TEST_ID,
            attempts: 4,
            lastError: "connect ECONNREFUSED 127.0.0.1:8080",
            createdAt: at("2026-01-01T00:00:03Z"),
            nextAttemptAt: at("2026-01-01T00:00:09Z"),
          }),
          create(WebhookDeliverySchema, {
            id: "d2",
            webhookId: HOOK_ID,
            event: WebhookEvent.RUN_FINISHED,
            runId: RUN(2),
            testId: TEST_ID,
            attempts: 2,
            lastStatusCode: 204,
            delivered: true,
            createdAt: at("2026-01-01T00:00:02Z"),
            deliveredAt: at("2026-01-01T00:00:05Z"),
          }),
          create(WebhookDeliverySchema, {
            id: "d1",
            webhookId: HOOK_ID,
            event: WebhookEvent.RUN_FINISHED,
            runId: RUN(1),
            testId: "7a1b2c3d-0000-4000-8000-0000000000bb",
            attempts: 30,
            lastStatusCode: 500,
            lastError: `gave up after 30 attempts: HTTP 500: ${"x".repeat(80)}`,
            createdAt: at("2026-01-01T00:00:01Z"),
          }),
        ],
      }),
    });
    router.service(DataService, {
      queryTests: ({ ids }) => ({
        tests: ids.includes(TEST_ID) ? [create(TestSchema, { id: TEST_ID, name: "checkout" })] : [],
      }),
    });
  });
});
beforeEach(() => {
  hooks.splice(0, hooks.length, CHAT);
});
afterAll(() => server.close());

async function cli(args: string[], env: Record<string, string> = {}, cwd?: string) {
  const io = captureIo({
    env: { TSTR_ADDR: server.addr, TSTR_TOKEN: "t", TSTR_NAMESPACE: "dev", ...env },
    ...(cwd ? { cwd } : {}),
  });
  const code = await runCli(args, io);
  return { code, out: io.out, err: io.err };
}

describe("tstrctl webhook apply", () => {
  it("sends the webhook with its secret from the environment", async () => {
    const result = await cli(
      [
        "webhook",
        "apply",
        "chat",
        "--url",
        "https://hooks.example.com/tstr",
        "--event",
        "run.finished,test.became_failing",
        "--selector",
        "tier=example",
        "--result",
        "FAIL",
        "--result",
        "error",
        "--secret-env",
        "HOOK_SECRET",
      ],
      { HOOK_SECRET: "from-the-environment" },
    );
    expect(result).toEqual({ code: 0, out: "webhook dev/chat applied\n", err: "" });
    expect(server.calls.at(-1)).toMatchObject({
      method: "ApplyWebhook",
      message: {
        webhook: {
          namespace: "dev",
          name: "chat",
          url: "https://hooks.example.com/tstr",
          events: [WebhookEvent.RUN_FINISHED, WebhookEvent.TEST_BECAME_FAILING],
          testSelector: "tier=example",
          results: [Run_Result.FAIL, Run_Result.ERROR],
          secret: "from-the-environment",
          enabled: true,
        },
      },
    });
  });

  it("reads the secret from a file, and can store the webhook disabled", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tstr-hook-"));
    writeFileSync(join(dir, "secret.txt"), "from-a-file-0123\n");
    const result = await cli(
      [
        "webhook",
        "apply",
        "chat",
        "--url",
        "http://127.0.0.1:9/x",
        "--event",
        "run.queued",
        "--secret-file",
        "secret.txt",
        "--disabled",
      ],
      {},
      dir,
    );
    expect(result.out).toBe("webhook dev/chat applied (disabled)\n");
    expect(server.calls.at(-1)).toMatchObject({
      message: { webhook: { secret: "from-a-file-0123", enabled: false, events: [WebhookEvent.RUN_QUEUED] } },
    });
  });

  it("keeps the stored secret when none is given, and prints the response as JSON", async () => {
    const json = await cli([
      "webhook",
      "apply",
      "chat",
      "--url",
      "http://h.example",
      "--event",
      "run.started",
      "-o",
      "json",
    ]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out).webhook).toMatchObject({ id: HOOK_ID, events: ["WEBHOOK_EVENT_RUN_STARTED"] });
    expect(server.calls.at(-1)).toMatchObject({ message: { webhook: { secret: "" } } });
  });

  it.each([
    [["--url", "http://h.example"], 2, /at least one --event is required/],
    [["--event", "run.finished"], 2, /--url is required/],
    [["--url", "http://h.example", "--event", "run.exploded"], 2, /--event "run.exploded": use run.queued, /],
    [
      ["--url", "http://h.example", "--event", "run.finished", "--result", "maybe"],
      2,
      /--result "maybe": use pass, fail/,
    ],
    [
      ["--url", "http://h.example", "--event", "run.finished", "--secret-env", "A", "--secret-file", "b"],
      2,
      /use --secret-env or --secret-file, not both/,
    ],
    [
      ["--url", "http://h.example", "--event", "run.finished", "--secret-env", "UNSET"],
      1,
      /--secret-env UNSET: the environment variable is not set or empty/,
    ],
    [
      ["--url", "http://h.example", "--event", "run.finished", "--secret-file", "/nonexistent/s"],
      1,
      /--secret-file \/nonexistent\/s: no such file/,
    ],
  ])("refuses %j", async (flags, code, message) => {
    const calls = server.calls.length;
    const result = await cli(["webhook", "apply", "chat", ...flags]);
    expect(result.code).toBe(code);
    expect(result.err).toMatch(message);
    expect(server.calls.length).toBe(calls);
  });

  it("passes on the server's refusal of a new webhook without a secret", async () => {
    const result = await cli(["webhook", "apply", "new-one", "--url", "http://h.example", "--event", "run.finished"]);
    expect(result).toMatchObject({
      code: 1,
      err: expect.stringMatching(/secret: is required when a webhook is created/),
    });
  });
});

describe("tstrctl webhook list", () => {
  it("prints the namespace's webhooks", async () => {
    expect(await cli(["webhook", "list"])).toEqual({
      code: 0,
      out: [
        "NAME   URL                              EVENTS                             SELECTOR       RESULTS      ENABLED",
        "chat   https://hooks.example.com/tstr   run.finished,test.became_failing   tier=example   FAIL,ERROR   yes",
        "",
      ].join("\n"),
      err: "",
    });
  });

  it("says so when there are none", async () => {
    expect(await cli(["webhook", "list", "-n", "ops"])).toEqual({
      code: 0,
      out: "",
      err: 'no webhooks found in namespace "ops"\n',
    });
  });
});

describe("tstrctl webhook delete", () => {
  it("deletes by name", async () => {
    expect(await cli(["webhook", "delete", "chat"])).toEqual({ code: 0, out: "webhook dev/chat deleted\n", err: "" });
    expect(server.calls.at(-1)).toMatchObject({ method: "DeleteWebhook", message: { id: HOOK_ID, namespace: "dev" } });
    expect(hooks).toEqual([]);
  });

  it("says which webhook is missing", async () => {
    expect(await cli(["webhook", "delete", "nope"])).toMatchObject({
      code: 1,
      err: expect.stringContaining('tstrctl: webhook "nope" not found in namespace "dev"'),
    });
  });
});

describe("tstrctl webhook deliveries", () => {
  it("shows the log newest first with test names, attempts, last result and state", async () => {
    const result = await cli(["webhook", "deliveries", "chat", "--limit", "3", "--within", "2h"]);
    expect(result.err).toBe("");
    expect(result.out).toBe(
      [
        "CREATED                EVENT                 TEST                                   RUN                                    ATTEMPTS   LAST RESULT                                                    STATE",
        `2026-01-01T00:00:03Z   test.became_failing   checkout                               ${RUN(3)}   4          connect ECONNREFUSED 127.0.0.1:8080                            next attempt 2026-01-01T00:00:09Z`,
        `2026-01-01T00:00:02Z   run.finished          checkout                               ${RUN(2)}   2          204                                                            delivered 2026-01-01T00:00:05Z`,
        `2026-01-01T00:00:01Z   run.finished          7a1b2c3d-0000-4000-8000-0000000000bb   ${RUN(1)}   30         gave up after 30 attempts: HTTP 500: xxxxxxxxxxxxxxxxxxxxxx…   failed (gave up)`,
        "",
      ].join("\n"),
    );
    expect(server.calls.find((c) => c.method === "ListWebhookDeliveries")).toMatchObject({
      message: { webhookId: HOOK_ID, namespace: "dev", limit: 3, within: { seconds: 7200n } },
    });
  });

  it("refuses a bad limit or duration before calling the server", async () => {
    expect((await cli(["webhook", "deliveries", "chat", "--limit", "0"])).err).toMatch(
      /expected a number from 1 to 1000/,
    );
    expect((await cli(["webhook", "deliveries", "chat", "--limit", "5000"])).code).toBe(2);
    expect((await cli(["webhook", "deliveries", "chat", "--within", "soon"])).code).toBe(2);
  });

  it("prints the response as JSON", async () => {
    const json = JSON.parse((await cli(["webhook", "deliveries", "chat", "-o", "json"])).out);
    expect(json.deliveries.map((d: { id: string }) => d.id)).toEqual(["d3", "d2", "d1"]);
  });
});
