import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ConnectRouter, Interceptor } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";

/** A call as the server saw it. */
export interface RecordedCall {
  method: string;
  authorization: string | null;
  namespace: string | null;
  message: unknown;
}

/** A running fake API server. */
export interface FakeApiServer {
  addr: string;
  calls: RecordedCall[];
  close(): Promise<void>;
}

/**
 * Test double of the tstr API: real Connect handlers on a real socket (port 0), implementing only
 * the RPCs a test registers. It records each call's auth and namespace headers and message, so
 * tests check what actually went over the wire rather than what a mocked client was asked.
 */
export async function startFakeApiServer(routes: (router: ConnectRouter) => void): Promise<FakeApiServer> {
  const calls: RecordedCall[] = [];
  const recorder: Interceptor = (next) => async (req) => {
    calls.push({
      method: req.method.name,
      authorization: req.header.get("authorization"),
      namespace: req.header.get("namespace"),
      message: req.stream ? undefined : req.message,
    });
    return next(req);
  };
  const server = createServer(connectNodeAdapter({ routes, interceptors: [recorder] }));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    addr: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () => closeServer(server),
  };
}

/** An address where nothing listens: a port that was free a moment ago. */
export async function closedAddr(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await closeServer(server);
  return `http://127.0.0.1:${port}`;
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}
