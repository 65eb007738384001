import type { MessageInitShape } from "@bufbuild/protobuf";
import { type ControlPlane, silentLogger, startControlPlane } from "@tstr/control-plane";
import { ControlService, DataService, type ExecutionMetadataSchema, RunnerService } from "@tstr/proto";
import { type TestDatabase, useTestDatabase } from "@tstr/testing";
import { afterAll, beforeAll } from "vitest";
import { clientOf, issueToken, transportFor } from "./clients.js";

export { failure } from "./clients.js";

// Two control-plane replicas on one test database, for the external-execution tests, and the
// calls they share. `admin` and `registration` are set once the replicas are up.

const planes: ControlPlane[] = [];
let database: TestDatabase;
export let admin = "";
/** A runner-scope token for hand-driven runners. */
export let registration = "";

/** Starts two replicas (short reaper interval) before the file's tests and stops them after. */
export function useExecutionPlanes(): void {
  database = useTestDatabase();
  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      planes.push(
        await startControlPlane(
          { db: database.db, logger: silentLogger },
          {
            host: "127.0.0.1",
            port: 0,
            cron: false,
            drainDelayMs: 0,
            runTimings: { leaseMs: 10_000, heartbeatIntervalMs: 1_000, reaperIntervalMs: 200 },
          },
        ),
      );
    }
    admin = planes[0]?.bootstrapToken ?? "";
    registration = (await issueToken(url(), admin, ["runner"], [".*"])).token;
  });
  afterAll(async () => {
    for (const plane of planes) await plane.stop();
  });
}

export const url = (replica = 0) => planes[replica]?.url ?? "";
export const control = (token = admin, replica = 0) => clientOf(ControlService, transportFor(url(replica), { token }));
export const data = (token = admin) => clientOf(DataService, transportFor(url(), { token }));
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Registers an execution in `namespace` through replica `replica`. */
export function register(
  namespace: string,
  metadata: MessageInitShape<typeof ExecutionMetadataSchema>,
  opts: { token?: string; replica?: number } = {},
) {
  return control(opts.token, opts.replica).registerExecution({
    namespace,
    metadata: { test: "perf-nightly", ...metadata },
  });
}

/** Active factored runs (any kind) holding part of `location`, straight from the database. */
export async function activeAt(location: string) {
  const { rows } = await database.db.pool.query(
    `SELECT count(*)::int AS runs, coalesce(sum(resources_factor), 0)::float8 AS used FROM runs
     WHERE location = $1 AND resources_factor IS NOT NULL AND status IN ('ASSIGNED', 'RUNNING', 'CANCELLING')`,
    [location],
  );
  return { runs: rows[0].runs as number, used: rows[0].used as number };
}

/** A hand-driven runner at `location` accepting runs labelled case=`acceptCase`. */
export async function startRunner(name: string, location: string, acceptCase: string, replica = 0) {
  const reg = await clientOf(RunnerService, transportFor(url(replica), { token: registration })).registerRunner({
    name,
    capacity: 3,
    labels: { location },
    acceptSelectors: [`case=${acceptCase}`],
  });
  return {
    id: reg.runner?.id ?? "",
    api: clientOf(RunnerService, transportFor(url(replica), { token: reg.runnerToken })),
  };
}
