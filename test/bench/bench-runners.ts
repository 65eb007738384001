import type { Client } from "@connectrpc/connect";
import { ControlService, RunnerService } from "@tstr/proto";
import { clientOf, issueToken, transportFor } from "../e2e/support/clients.js";

/** A registered runner as a benchmark drives it: its id and a gRPC client bound to its own token. */
export interface BenchRunner {
  id: string;
  name: string;
  api: Client<typeof RunnerService>;
}

/**
 * Registers `count` runners of `capacity` slots, each with its own runner-bound token and its own
 * HTTP/2 connection (a gRPC transport per runner, as separate runner processes would have).
 */
export async function registerBenchRunners(
  url: string,
  adminToken: string,
  count: number,
  opts: { prefix: string; capacity: number },
): Promise<BenchRunner[]> {
  const { token } = await issueToken(url, adminToken, ["runner"], [".*"]);
  const registrar = clientOf(RunnerService, transportFor(url, { token, protocol: "grpc" }));
  const runners: BenchRunner[] = [];
  for (let i = 0; i < count; i++) {
    const name = `${opts.prefix}-${i}`;
    const res = await registrar.registerRunner({ name, capacity: opts.capacity, executors: ["process"] });
    const api = clientOf(RunnerService, transportFor(url, { token: res.runnerToken, protocol: "grpc" }));
    runners.push({ id: res.runner?.id ?? "", name, api });
  }
  return runners;
}

/** A ControlService client for the admin token, over gRPC, and a registered test to schedule. */
export async function registerBenchTest(url: string, adminToken: string, name: string) {
  const control = clientOf(ControlService, transportFor(url, { token: adminToken, protocol: "grpc" }));
  await control.registerTest({ name, runConfig: { containerImage: "busybox", command: "true" } });
  return control;
}
