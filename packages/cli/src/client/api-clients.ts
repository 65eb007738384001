import { type Client, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { AdminService, ControlService, DataService, IdentityService, RunnerService } from "@tstr/proto";
import { type ApiTarget, targetInterceptor } from "./target-interceptor.js";

export type { ApiTarget } from "./target-interceptor.js";

/** Connect clients for the five tstr services, sharing one transport. */
export interface ApiClients {
  control: Client<typeof ControlService>;
  data: Client<typeof DataService>;
  admin: Client<typeof AdminService>;
  identity: Client<typeof IdentityService>;
  runner: Client<typeof RunnerService>;
}

/** Transport tuning; by default calls have no deadline (streams such as TailLogs run long). */
export interface ApiClientOptions {
  timeoutMs?: number;
}

/**
 * Creates clients for every tstr service at `target.addr` over the Connect protocol (HTTP/1.1,
 * so plain proxies and `tstr dev` work alike). Each call carries the target's bearer token and
 * namespace; see `targetInterceptor`.
 */
export function createApiClients(target: ApiTarget, options: ApiClientOptions = {}): ApiClients {
  const transport = createConnectTransport({
    baseUrl: target.addr,
    httpVersion: "1.1",
    interceptors: [targetInterceptor(target)],
    ...(options.timeoutMs ? { defaultTimeoutMs: options.timeoutMs } : {}),
  });
  return {
    control: createClient(ControlService, transport),
    data: createClient(DataService, transport),
    admin: createClient(AdminService, transport),
    identity: createClient(IdentityService, transport),
    runner: createClient(RunnerService, transport),
  };
}
