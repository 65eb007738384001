import { type Client, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { RunnerService } from "@tstr/proto";

export interface RunnerClientOptions {
  /** The server, e.g. http://127.0.0.1:7420 (h2c) or https://tstr.example.com. */
  baseUrl: string;
  /**
   * The runner's credentials, sent as `Authorization: Bearer <token>`. Read on every call, so
   * replacing `token` (with the one RegisterRunner binds to this runner) takes effect at once.
   */
  credentials: { token: string };
}

/**
 * A RunnerService client over gRPC on HTTP/2 (h2c for http:// URLs). gRPC rather than Connect
 * over HTTP/1.1 because every call of the runner, the long-lived ReceiveWork stream included,
 * then shares one connection, and HTTP/2 pings notice a dead peer long before TCP would.
 */
export function createRunnerClient(options: RunnerClientOptions): Client<typeof RunnerService> {
  const transport = createGrpcTransport({
    baseUrl: options.baseUrl,
    interceptors: [
      (next) => (req) => {
        req.header.set("authorization", `Bearer ${options.credentials.token}`);
        return next(req);
      },
    ],
    pingIntervalMs: 10_000,
    pingTimeoutMs: 10_000,
    pingIdleConnection: true,
  });
  return createClient(RunnerService, transport);
}
