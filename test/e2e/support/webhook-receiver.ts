import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One request as a webhook receiver saw it, its signature checked the way the README shows. */
export interface Received {
  path: string;
  event: string;
  deliveryId: string;
  contentType: string;
  userAgent: string;
  verified: boolean;
  /** The raw body and signature headers, to check them against other secrets. */
  body: string;
  timestamp: string;
  signature: string;
  /** When the request arrived (Date.now()). */
  arrivedAt: number;
  // biome-ignore lint/suspicious/noExplicitAny: the JSON payload as received
  payload: any;
}

/** A running receiver. */
export interface Receiver {
  port: number;
  url(path: string): string;
  /** Closes the listener and every open connection, so senders get connection refused. */
  close(): Promise<void>;
}

/**
 * A webhook receiver on 127.0.0.1 (port 0, or `port` to come back where a stopped one was) that
 * appends every request to `received` and answers 204.
 */
export async function startReceiver(received: Received[], secret: string, port = 0): Promise<Receiver> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const timestamp = String(req.headers["x-tstr-timestamp"] ?? "");
      const signature = String(req.headers["x-tstr-signature"] ?? "");
      received.push({
        path: req.url ?? "",
        event: String(req.headers["x-tstr-event"] ?? ""),
        deliveryId: String(req.headers["x-tstr-delivery"] ?? ""),
        contentType: String(req.headers["content-type"] ?? ""),
        userAgent: String(req.headers["user-agent"] ?? ""),
        verified: signatureValid(secret, timestamp, body, signature),
        body,
        timestamp,
        signature,
        arrivedAt: Date.now(),
        payload: JSON.parse(body),
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    port: actual,
    url: (path) => `http://127.0.0.1:${actual}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The receiver side of the signature, written from the documented format (not tstr's code). */
export function signatureValid(secret: string, timestamp: string, body: string, signature: string): boolean {
  const expected = `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
  const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
  return (
    fresh && signature.length === expected.length && timingSafeEqual(Buffer.from(signature), Buffer.from(expected))
  );
}
