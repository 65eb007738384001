import type http from "node:http";
import type http2 from "node:http2";

type Req = http.IncomingMessage | http2.Http2ServerRequest;
type Res = http.ServerResponse | http2.Http2ServerResponse;

/** Plain HTTP endpoints: `GET /healthz` for load balancers and probes; 404 for everything else. */
export function createHttpRoutes(isServing: () => boolean) {
	return (req: Req, res: Res) => {
		const path = (req.url ?? "/").split("?")[0];
		if (
			path === "/healthz" &&
			(req.method === "GET" || req.method === "HEAD")
		) {
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
	(res as http.ServerResponse).writeHead(status, {
		"content-type": "application/json",
		"content-length": Buffer.byteLength(text),
	});
	res.end(text);
}
