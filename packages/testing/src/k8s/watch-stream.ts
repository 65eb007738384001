import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError } from "./api-error.js";
import { parseLabelSelector } from "./label-selector.js";
import type { KubeObject, ObjectStore, ResourceName, StoreEvent } from "./object-store.js";

/**
 * `?watch=true` on a collection: newline-delimited JSON events `{type, object}`. Without a
 * resourceVersion (or "0") it starts with ADDED for every current object; with one it replays the
 * history after it, or sends an ERROR event with a 410 Expired Status when that history is gone,
 * as the API server does. `timeoutSeconds` ends the stream.
 */
export function serveWatch(
  store: ObjectStore,
  request: IncomingMessage,
  response: ServerResponse,
  resource: ResourceName,
  namespace: string | undefined,
  query: URLSearchParams,
): void {
  const matches = parseLabelSelector(query.get("labelSelector"));
  const relevant = (object: KubeObject) =>
    (namespace === undefined || object.metadata.namespace === namespace) && matches(object.metadata.labels ?? {});
  const send = (type: string, object: unknown) => response.write(`${JSON.stringify({ type, object })}\n`);
  const from = query.get("resourceVersion");
  let backlog: StoreEvent[] = [];
  if (from && from !== "0") {
    try {
      backlog = store.eventsSince(Number(from));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      response.writeHead(200, { "content-type": "application/json" });
      send("ERROR", err.toStatus());
      response.end();
      return;
    }
  }
  response.writeHead(200, { "content-type": "application/json" });
  // The API server sends the headers at once, so a client sees the watch open before any event.
  response.flushHeaders();
  let sent = Number(store.resourceVersion());
  if (!from || from === "0") {
    for (const object of store.list(resource, namespace, query.get("labelSelector"))) send("ADDED", object);
  } else {
    for (const event of backlog)
      if (event.resource === resource && relevant(event.object)) send(event.type, event.object);
  }
  const unsubscribe = store.subscribe((event) => {
    if (event.resourceVersion <= sent || event.resource !== resource || !relevant(event.object)) return;
    sent = event.resourceVersion;
    send(event.type, event.object);
  });
  const timeout = Number(query.get("timeoutSeconds") ?? 0);
  const timer = timeout > 0 ? setTimeout(() => response.end(), timeout * 1000) : undefined;
  const stop = () => {
    unsubscribe();
    clearTimeout(timer);
  };
  request.on("close", stop);
  response.on("close", stop);
}
