import type { ConnectNodeAdapterOptions } from "@connectrpc/connect-node";

type NodeHandlerFn = NonNullable<ConnectNodeAdapterOptions["fallback"]>;

type Res = Parameters<NodeHandlerFn>[1];

/** Plain HTTP endpoints: `GET /healthz` for load balancers and probes; 404 for everything else. */
export function createHttpRoutes(isServing: () => boolean): NodeHandlerFn {
  return (req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/healthz" && (req.method === "GET" || req.method === "HEAD")) {
      const serving = isServing();
      send(res, serving ? 200 : 503, {
        status: serving ? "ok" : "shutting down",
      });
      return;
    }
    send(res, 404, { error: `no route for ${req.method} ${path}` });
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
