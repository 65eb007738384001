import http2 from "node:http2";

/** Answer of a raw Connect unary call: HTTP status and the decoded JSON body. */
export interface RawAnswer {
  status: number;
  body: { code?: string; message?: string; [key: string]: unknown };
}

/** POSTs a raw body to a Connect unary endpoint, as curl would; for inputs no typed client can send. */
export async function postConnect(
  baseUrl: string,
  rpc: string,
  body: string | Uint8Array,
  headers: Record<string, string> = {},
): Promise<RawAnswer> {
  const res = await fetch(`${baseUrl}/${rpc}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  const text = await res.text();
  let parsed: RawAnswer["body"] = {};
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = { message: text };
  }
  return { status: res.status, body: parsed };
}

/** Sends one raw gRPC request over h2c and returns grpc-status and grpc-message. */
export async function postGrpcRaw(
  baseUrl: string,
  rpc: string,
  frame: Uint8Array,
  headers: Record<string, string> = {},
): Promise<{ grpcStatus: number; grpcMessage: string }> {
  const session = http2.connect(baseUrl);
  try {
    return await new Promise((resolve, reject) => {
      const req = session.request({
        ":method": "POST",
        ":path": `/${rpc}`,
        "content-type": "application/grpc",
        te: "trailers",
        ...headers,
      });
      let status: string | undefined;
      let message = "";
      const take = (h: http2.IncomingHttpHeaders) => {
        if (h["grpc-status"] !== undefined) status = String(h["grpc-status"]);
        if (h["grpc-message"] !== undefined) message = decodeURIComponent(String(h["grpc-message"]));
      };
      req.on("response", take);
      req.on("trailers", take);
      req.on("data", () => {});
      req.on("end", () => resolve({ grpcStatus: Number(status ?? -1), grpcMessage: message }));
      req.on("error", reject);
      req.end(frame);
    });
  } finally {
    session.close();
  }
}
