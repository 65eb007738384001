import type { DescService } from "@bufbuild/protobuf";
import { type Client, ConnectError, createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { AdminService } from "@tstr/proto";

export type Protocol = "connect" | "grpc" | "grpc-web";

/** A transport to a test server that sends the given bearer token (and namespace header). */
export function transportFor(
  baseUrl: string,
  opts: { token?: string; namespace?: string; protocol?: Protocol } = {},
): Transport {
  const auth: Interceptor = (next) => (req) => {
    if (opts.token) req.header.set("authorization", `Bearer ${opts.token}`);
    if (opts.namespace) req.header.set("namespace", opts.namespace);
    return next(req);
  };
  const common = { baseUrl, interceptors: [auth] };
  switch (opts.protocol ?? "grpc") {
    case "grpc":
      return createGrpcTransport(common);
    case "grpc-web":
      return createGrpcWebTransport({ ...common, httpVersion: "1.1" });
    default:
      return createConnectTransport({ ...common, httpVersion: "1.1" });
  }
}

/** A typed client of one service. */
export function clientOf<S extends DescService>(service: S, transport: Transport): Client<S> {
  return createClient(service, transport);
}

/** Issues a token with exactly these scopes through AdminService. */
export async function issueToken(
  baseUrl: string,
  adminToken: string,
  scopeNames: string[],
  namespaceSelectors: string[] = [".*"],
): Promise<{ id: string; token: string }> {
  const admin = clientOf(AdminService, transportFor(baseUrl, { token: adminToken }));
  const { accessToken } = await admin.issueAccessToken({
    name: `test-${scopeNames.join("+") || "none"}`,
    scopeNames,
    namespaceSelectors,
  });
  return { id: accessToken?.id ?? "", token: accessToken?.token ?? "" };
}

/** The ConnectError a call failed with (the test fails if it succeeded). */
export async function failure(call: Promise<unknown>): Promise<ConnectError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => ConnectError.from(e),
  );
  if (!error) throw new Error("expected the call to fail");
  return error;
}
