import type { ConnectNodeAdapterOptions } from "@connectrpc/connect-node";
import type { WebAssetHandler } from "./web-assets.js";

type NodeHandlerFn = NonNullable<ConnectNodeAdapterOptions["fallback"]>;

type Res = Parameters<NodeHandlerFn>[1];

/**
 * Plain HTTP endpoints: `GET /healthz` for load balancers and probes, the web UI's files when
 * `web` is given, and 404 for everything else.
 */
export function createHttpRoutes(isServing: () => boolean, web?: WebAssetHandler): NodeHandlerFn {
  return (req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/healthz" && (req.method === "GET" || req.method === "HEAD")) {
      const serving = isServing();
      send(res, serving ? 200 : 503, {
        status: serving ? "ok" : "shutting down",
      });
      return;
    }
    const notFound = () => send(res, 404, { error: `no route for ${req.method} ${path}` });
    if (!web) return notFound();
    web(req, res).then(
      (handled) => handled || notFound(),
      (error: Error) => res.headersSent || send(res, 500, { error: `web UI: ${error.message}` }),
    );
  };
}

function send(res: Res, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}
