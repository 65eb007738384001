import { readFileSync } from "node:fs";
import path from "node:path";
import { fromJson } from "@bufbuild/protobuf";
import type { Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { type ControlPlane, silentLogger, startControlPlane } from "@tstr/control-plane";
import { ControlService, DataService, RegisterTestRequestSchema } from "@tstr/proto";
import { useTestDatabase } from "@tstr/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientOf, issueToken } from "./support/clients.js";

// What the original tstr clients send: gRPC, "authorization: bearer <token>" in lower case, the
// namespace in a `namespace` header, and request bodies of tstr's own RegisterTest shape.

const FIXTURES = path.resolve(import.meta.dirname, "../../../shared/fixtures/tstr");
const database = useTestDatabase();
let plane: ControlPlane;
let token: string;

/** A transport that talks like tstr's Go client (grpc-go metadata). */
function tstrStyleTransport(namespace: string) {
  const metadata: Interceptor = (next) => (req) => {
    req.header.set("authorization", `bearer ${token}`);
    req.header.set("namespace", namespace);
    return next(req);
  };
  return createGrpcTransport({ baseUrl: plane.url, interceptors: [metadata] });
}

beforeAll(async () => {
  plane = await startControlPlane({ db: database.db, logger: silentLogger }, { host: "127.0.0.1", port: 0 });
  token = (await issueToken(plane.url, plane.bootstrapToken ?? "", ["control:write"], ["tstr-.*"])).token;
});
afterAll(() => plane?.stop());

describe("tstr wire compatibility", () => {
  it.each(["register_test.json", "register_test.e5619e5.json", "register_test.c1ce8bb.json"])(
    "registers tstr's %s request as it is and reads it back by namespace header",
    async (file) => {
      const body = JSON.parse(readFileSync(path.join(FIXTURES, file), "utf8"));
      const request = fromJson(RegisterTestRequestSchema, { ...body, name: file.replace(/\W/g, "-") });
      const namespace = "tstr-compat";
      const { test } = await clientOf(ControlService, tstrStyleTransport(namespace)).registerTest(request);
      expect(test?.namespace).toBe(namespace);
      expect(test?.runConfig?.containerImage).toBe(body.run_config.container_image);
      expect(test?.cronSchedule).toBe(body.cron_schedule);
      const { tests } = await clientOf(DataService, tstrStyleTransport(namespace)).queryTests({});
      expect(tests.map((t) => t.name)).toContain(test?.name);
      if (body.matrix) {
        expect(Object.keys(test?.matrix?.labels ?? {}).sort()).toEqual(Object.keys(body.matrix.labels).sort());
      }
    },
  );

  it("refuses a namespace outside the token's selectors, as tstr does", async () => {
    await expect(clientOf(DataService, tstrStyleTransport("other")).queryTests({})).rejects.toThrow(
      /may not access namespace "other"/,
    );
  });
});
