import { silentLogger, startControlPlane } from "@tstr/control-plane";
import { createDatabase } from "@tstr/db";
import { DataService, IdentityService } from "@tstr/proto";
import { cloneDatabase, createTemplateDatabase, startPostgres, withDatabase } from "@tstr/testing";
import { clientOf, transportFor } from "../e2e/support/clients.js";
import { measure, report } from "./measure.js";

/**
 * Cost of an authenticated RPC (JWT verification, cached revocation check, scope and namespace
 * checks, the query) against GET /healthz on the same server and connection kind as baseline.
 */
export async function rpcOverheadBench(): Promise<void> {
  const pg = await startPostgres();
  try {
    const template = await createTemplateDatabase(pg.adminUrl);
    const db = createDatabase(withDatabase(pg.adminUrl, await cloneDatabase(pg.adminUrl, template)));
    const plane = await startControlPlane({ db, logger: silentLogger }, { host: "127.0.0.1", port: 0 });
    const token = plane.bootstrapToken ?? "";
    const transport = transportFor(plane.url, { token, protocol: "connect" });
    const identity = clientOf(IdentityService, transport);
    const data = clientOf(DataService, transport);
    const rows = [
      await measure("baseline: GET /healthz (fetch, HTTP/1.1)", async () =>
        (await fetch(`${plane.url}/healthz`)).text(),
      ),
      await measure("IdentityService/Identity (Connect JSON)", () => identity.identity({})),
      await measure("DataService/QueryTests, empty (Connect JSON)", () => data.queryTests({})),
    ];
    report("RPC overhead on one replica (sequential calls)", rows);
    await plane.stop();
    await db.close();
  } finally {
    await pg.stop();
  }
}
