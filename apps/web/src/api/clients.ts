import { type Client, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { AdminService, ControlService, DataService, IdentityService } from "@tstr/proto";

/** Typed clients of every service the UI uses, all on the page's own origin. */
export interface Api {
  data: Client<typeof DataService>;
  control: Client<typeof ControlService>;
  admin: Client<typeof AdminService>;
  identity: Client<typeof IdentityService>;
}

/**
 * Clients that send `authorization: Bearer <token>` and, when `namespace()` names one, the
 * `namespace` header the server reads when a request leaves its namespace field empty.
 */
export function createApi(token: string, namespace: () => string | undefined = () => undefined): Api {
  const auth: Interceptor = (next) => (req) => {
    req.header.set("authorization", `Bearer ${token}`);
    const ns = namespace();
    if (ns) req.header.set("namespace", ns);
    return next(req);
  };
  const transport = createConnectTransport({ baseUrl: window.location.origin, interceptors: [auth] });
  return {
    data: createClient(DataService, transport),
    control: createClient(ControlService, transport),
    admin: createClient(AdminService, transport),
    identity: createClient(IdentityService, transport),
  };
}
