import http from "node:http";
import http2 from "node:http2";
import net from "node:net";
import { Duplex } from "node:stream";

type RequestHandler = (
  req: http.IncomingMessage | http2.Http2ServerRequest,
  res: http.ServerResponse | http2.Http2ServerResponse,
) => void;

/** A listening server with its bound address and a graceful stop. */
export interface RunningServer {
  host: string;
  port: number;
  url: string;
  /** Stops accepting, lets in-flight requests finish for up to `graceMs`, then drops the rest. */
  close(graceMs?: number): Promise<void>;
}

const H2_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

/**
 * Serves HTTP/1.1 and cleartext HTTP/2 (h2c, prior knowledge) on one port. Node's
 * `http2.createServer({allowHTTP1})` only falls back for TLS, so the first bytes of each connection
 * are sniffed for the HTTP/2 preface and the socket is handed to the matching server.
 */
export async function startSniffingServer(
  handler: RequestHandler,
  listen: { host: string; port: number },
  opts: { maxConnections?: number; onError?: (error: Error) => void } = {},
): Promise<RunningServer> {
  const h1 = http.createServer(handler as http.RequestListener);
  h1.keepAliveTimeout = 65_000;
  // h1 never listens itself; announcing it makes Node track its connections, which enforces
  // headers/request timeouts (slow clients) and lets closeIdleConnections work.
  h1.emit("listening");
  const h2 = http2.createServer({}, handler as (a: http2.Http2ServerRequest, b: http2.Http2ServerResponse) => void);
  const sessions = new Set<http2.ServerHttp2Session>();
  h2.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  });
  const sockets = new Set<net.Socket>();
  const unrouted = new Set<net.Socket>();
  // No Nagle: back-to-back small gRPC frames would otherwise wait ~40 ms for delayed ACKs.
  const front = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    unrouted.add(socket);
    socket.once("close", () => {
      sockets.delete(socket);
      unrouted.delete(socket);
    });
    routeSocket(socket, h1, h2, () => unrouted.delete(socket));
  });
  front.maxConnections = opts.maxConnections ?? 10_000;
  await new Promise<void>((resolve, reject) => {
    front.once("error", reject);
    front.listen(listen.port, listen.host, () => {
      front.off("error", reject);
      resolve();
    });
  });
  // Accept errors (e.g. EMFILE) must never take the process down.
  front.on("error", (error) => opts.onError?.(error));
  const address = front.address() as net.AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    host: address.address,
    port: address.port,
    url: `http://${host}:${address.port}`,
    async close(graceMs = 5000) {
      front.close();
      for (const session of sessions) session.close();
      for (const socket of unrouted) socket.destroy();
      const deadline = Date.now() + graceMs;
      while (sockets.size > 0 && Date.now() < deadline) {
        h1.closeIdleConnections();
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      for (const socket of sockets) socket.destroy();
      h1.close();
      h2.close();
    },
  };
}

/** How long a new connection may take to send its first bytes. */
const SNIFF_TIMEOUT_MS = 10_000;

function routeSocket(socket: net.Socket, h1: http.Server, h2: http2.Http2Server, routed: () => void): void {
  let buffered = Buffer.alloc(0);
  socket.setTimeout(SNIFF_TIMEOUT_MS, () => socket.destroy());
  const onData = (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    const n = Math.min(buffered.length, H2_PREFACE.length);
    const isH2 = buffered.subarray(0, n).equals(H2_PREFACE.subarray(0, n));
    if (isH2 && buffered.length < H2_PREFACE.length) return;
    socket.off("data", onData);
    socket.setTimeout(0);
    routed();
    socket.pause();
    if (isH2) {
      h2.emit("connection", replayingDuplex(socket, buffered));
    } else {
      socket.unshift(buffered);
      h1.emit("connection", socket);
      socket.resume();
    }
  };
  socket.on("data", onData);
  socket.on("error", () => socket.destroy());
}

/**
 * The HTTP/2 server reads a net.Socket's native handle directly, which would skip the bytes
 * already read for sniffing; a JS duplex that replays them first avoids that.
 */
function replayingDuplex(socket: net.Socket, head: Buffer): Duplex {
  const duplex = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk, encoding, callback) {
      socket.write(chunk, encoding, callback);
    },
    final(callback) {
      socket.end(callback);
    },
    destroy(error, callback) {
      socket.destroy(error ?? undefined);
      callback(error);
    },
  });
  duplex.push(head);
  socket.on("data", (chunk) => {
    if (!duplex.push(chunk)) socket.pause();
  });
  socket.on("end", () => duplex.push(null));
  socket.on("close", () => duplex.destroy());
  socket.on("error", (error) => duplex.destroy(error));
  Object.assign(duplex, {
    remoteAddress: socket.remoteAddress,
    remotePort: socket.remotePort,
    remoteFamily: socket.remoteFamily,
    localAddress: socket.localAddress,
    localPort: socket.localPort,
    setTimeout: (ms: number, cb?: () => void) => socket.setTimeout(ms, cb),
    setNoDelay: (v?: boolean) => socket.setNoDelay(v),
    setKeepAlive: (v?: boolean, d?: number) => socket.setKeepAlive(v, d),
  });
  return duplex;
}
