import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError, badRequest, successStatus } from "./api-error.js";
import type { JobController, PropagationPolicy } from "./job-controller.js";
import type { NamespaceController } from "./namespace-controller.js";
import { type KubeObject, kindOf, type ResourceName } from "./object-store.js";
import { defaultJob, validateObject } from "./object-validation.js";
import { type PodLogDeps, servePodLog } from "./pod-logs.js";
import type { PodRuntime } from "./pod-runtime.js";
import { serveWatch } from "./watch-stream.js";

/** One API call as the API server's authorizer sees it (RBAC attributes), for checking RBAC rules. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  verb: "get" | "list" | "watch" | "create" | "update" | "patch" | "delete" | "deletecollection";
  apiGroup: string;
  /** With the subresource, as RBAC names it: `pods/log`. */
  resource: string;
  namespace?: string;
  name?: string;
}

interface Route {
  group: string;
  resource: ResourceName;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** The resources served, by API group; everything else is 404 like an unknown path. */
const SERVED: Record<string, ResourceName[]> = { "": ["namespaces", "configmaps", "pods"], batch: ["jobs"] };

export interface ApiServerDeps extends PodLogDeps {
  jobs: JobController;
  namespaces: NamespaceController;
  runtime: PodRuntime;
  requests: RecordedRequest[];
}

/** Routes one HTTP request of the emulated API and answers it (errors as Status objects). */
export async function handleApiRequest(deps: ApiServerDeps, request: IncomingMessage, response: ServerResponse) {
  const url = new URL(request.url ?? "/", "http://emulator");
  try {
    const route = parseRoute(url.pathname);
    const verb = verbOf(request.method ?? "GET", route, url.searchParams);
    deps.requests.push({
      method: request.method ?? "GET",
      path: url.pathname,
      query: url.search,
      verb,
      apiGroup: route.group,
      resource: route.subresource ? `${route.resource}/${route.subresource}` : route.resource,
      ...(route.namespace ? { namespace: route.namespace } : {}),
      ...(route.name ? { name: route.name } : {}),
    });
    const body = await readJson(request);
    await dispatch(deps, route, verb, url.searchParams, body, request, response);
  } catch (err) {
    const error =
      err instanceof ApiError ? err : new ApiError(500, "InternalError", `emulator: ${(err as Error).stack ?? err}`);
    if (response.headersSent) {
      response.destroy();
      return;
    }
    respond(response, error.code, error.toStatus());
  }
}

async function dispatch(
  deps: ApiServerDeps,
  route: Route,
  verb: RecordedRequest["verb"],
  query: URLSearchParams,
  body: KubeObject | undefined,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const { store } = deps;
  const { resource, namespace, name } = route;
  if (route.subresource === "log" && verb === "get") {
    return servePodLog(deps, request, response, namespace!, name!, query);
  }
  if (route.subresource) throw new ApiError(404, "NotFound", "the server could not find the requested resource");
  switch (verb) {
    case "watch":
      return serveWatch(store, request, response, resource, namespace, query);
    case "list":
      return respond(response, 200, {
        kind: `${kindOf(resource)}List`,
        apiVersion: route.group ? `${route.group}/v1` : "v1",
        metadata: { resourceVersion: store.resourceVersion() },
        items: store.list(resource, namespace, query.get("labelSelector")),
      });
    case "get":
      return respond(response, 200, store.require(resource, namespace, name!));
    case "create":
      return respond(response, 201, create(deps, route, body));
    case "delete":
      return respond(response, 200, remove(deps, route, query, body));
    default:
      throw new ApiError(405, "MethodNotAllowed", `the server does not allow this method on the requested resource`);
  }
}

function create(deps: ApiServerDeps, route: Route, body: KubeObject | undefined): KubeObject {
  if (!body || typeof body !== "object") throw badRequest("the body of the request was in an unknown format");
  if (route.resource === "pods")
    throw new ApiError(405, "MethodNotAllowed", "the emulator creates pods only from Jobs");
  const object = structuredClone(body);
  object.kind ??= kindOf(route.resource);
  object.apiVersion ??= route.group ? `${route.group}/v1` : "v1";
  if (object.kind !== kindOf(route.resource))
    throw badRequest(`the kind ${object.kind} does not match ${route.resource}`);
  object.metadata ??= {} as KubeObject["metadata"];
  const generateName = (object.metadata as { generateName?: string }).generateName;
  if (!object.metadata.name && generateName)
    object.metadata.name = generateName + randomBytes(4).toString("hex").slice(0, 5);
  if (route.namespace) {
    if (object.metadata.namespace && object.metadata.namespace !== route.namespace) {
      throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
    }
    object.metadata.namespace = route.namespace;
    deps.namespaces.requireActive(route.namespace);
  }
  validateObject(route.resource, object);
  if (route.resource === "jobs") defaultJob(object);
  if (route.resource === "namespaces") object.status = { phase: "Active" };
  const stored = deps.store.create(route.resource, object);
  if (route.resource === "jobs") deps.jobs.admit(stored);
  return stored;
}

function remove(deps: ApiServerDeps, route: Route, query: URLSearchParams, body: KubeObject | undefined): unknown {
  const options = (body ?? {}) as { propagationPolicy?: string; gracePeriodSeconds?: number };
  const policy = query.get("propagationPolicy") ?? options.propagationPolicy;
  const graceText = query.get("gracePeriodSeconds") ?? options.gracePeriodSeconds;
  const grace = graceText === undefined || graceText === null ? undefined : Number(graceText);
  const { namespace, name } = route as Required<Route>;
  switch (route.resource) {
    case "namespaces":
      return deps.namespaces.delete(name);
    case "pods":
      return deps.runtime.delete(namespace, name, grace);
    case "jobs":
      if (policy && !["Foreground", "Background", "Orphan"].includes(policy)) {
        throw badRequest(`unsupported propagationPolicy ${JSON.stringify(policy)}`);
      }
      return deps.jobs.delete(namespace, name, (policy ?? "Orphan") as PropagationPolicy);
    default: {
      const removed = deps.store.require(route.resource, namespace, name);
      deps.store.remove(route.resource, namespace, name);
      return successStatus(route.resource, route.group, name, removed.metadata.uid);
    }
  }
}

function parseRoute(path: string): Route {
  const segments = path
    .split("/")
    .filter((segment) => segment !== "")
    .map(decodeURIComponent);
  let group: string | undefined;
  let rest: string[] = [];
  if (segments[0] === "api" && segments[1] === "v1") [group, rest] = ["", segments.slice(2)];
  else if (segments[0] === "apis" && segments[2] === "v1") [group, rest] = [segments[1]!, segments.slice(3)];
  const unknown = new ApiError(404, "NotFound", "the server could not find the requested resource");
  if (group === undefined || rest[0] !== "namespaces") throw unknown;
  const served = SERVED[group] ?? [];
  if (rest.length <= 2) {
    if (group !== "" || rest.length > 2) throw unknown;
    return { group, resource: "namespaces", ...(rest[1] ? { name: rest[1] } : {}) };
  }
  const [, namespace, resource, name, subresource, ...extra] = rest;
  if (!served.includes(resource as ResourceName) || resource === "namespaces" || extra.length > 0) throw unknown;
  return {
    group,
    resource: resource as ResourceName,
    namespace,
    ...(name ? { name } : {}),
    ...(subresource ? { subresource } : {}),
  };
}

function verbOf(method: string, route: Route, query: URLSearchParams): RecordedRequest["verb"] {
  const collection = route.name === undefined;
  switch (method) {
    case "GET":
      if (!collection) return "get";
      return query.get("watch") === "true" || query.get("watch") === "1" ? "watch" : "list";
    case "POST":
      return "create";
    case "DELETE":
      return collection ? "deletecollection" : "delete";
    case "PUT":
      return "update";
    case "PATCH":
      return "patch";
    default:
      throw new ApiError(405, "MethodNotAllowed", `method ${method} is not allowed`);
  }
}

async function readJson(request: IncomingMessage): Promise<KubeObject | undefined> {
  let text = "";
  for await (const chunk of request) text += chunk;
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as KubeObject;
  } catch {
    throw badRequest("the body of the request was in an unknown format: invalid JSON");
  }
}

function respond(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  response.end(text);
}
