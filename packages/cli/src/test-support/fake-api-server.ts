import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { ConnectRouter, Interceptor } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";

/** A call as the server saw it. */
export interface RecordedCall {
  method: string;
  authorization: string | null;
  namespace: string | null;
  /** The request; for a server stream, its one request message. */
  message: unknown;
}

/** A running fake API server. */
export interface FakeApiServer {
  addr: string;
  calls: RecordedCall[];
  /** Destroys every open connection at once, as a crashed server or a cut network would. */
  dropConnections(): void;
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
    const call: RecordedCall = {
      method: req.method.name,
      authorization: req.header.get("authorization"),
      namespace: req.header.get("namespace"),
      message: undefined,
    };
    calls.push(call);
    if (!req.stream) {
      call.message = req.message;
      return next(req);
    }
    if (req.method.methodKind !== "server_streaming") return next(req);
    const messages: unknown[] = [];
    for await (const message of req.message) messages.push(message);
    call.message = messages[0];
    return next({ ...req, message: replay(messages) as typeof req.message });
  };
  const server = createServer(connectNodeAdapter({ routes, interceptors: [recorder] }));
  const sockets = new Set<Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    addr: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    dropConnections: () => {
      for (const socket of sockets) socket.destroy();
    },
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

async function* replay<T>(messages: T[]): AsyncIterable<T> {
  yield* messages;
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}
