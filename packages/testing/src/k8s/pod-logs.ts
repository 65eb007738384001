import type { IncomingMessage, ServerResponse } from "node:http";
import { badRequest } from "./api-error.js";
import { createFrameSplitter, type DockerEngine } from "./docker-engine.js";
import type { ObjectStore } from "./object-store.js";
import type { PodRuntime } from "./pod-runtime.js";

/** A one-off fault: the next follow stream of `container` is cut after `afterLines` lines, mid-line. */
export interface LogStreamDrop {
  container: string;
  afterLines: number;
}

export interface PodLogDeps {
  store: ObjectStore;
  runtime: PodRuntime;
  docker: DockerEngine;
  /** Armed faults, consumed by the first matching follow request. */
  drops: LogStreamDrop[];
}

/**
 * GET pods/{name}/log: the container's stdout and stderr merged into one stream, as the kubelet
 * serves it (the API cannot tell them apart), optionally following, with `timestamps=true`
 * prefixing each line with its RFC 3339 nanosecond timestamp, and `sinceTime`/`sinceSeconds`
 * skipping older lines. 400 for a container that has not started, like the API server.
 */
export async function servePodLog(
  deps: PodLogDeps,
  request: IncomingMessage,
  response: ServerResponse,
  namespace: string,
  podName: string,
  query: URLSearchParams,
): Promise<void> {
  const pod = deps.store.require("pods", namespace, podName);
  const containers = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].map((c) => c.name as string);
  const container = query.get("container") ?? (pod.spec.containers.length === 1 ? pod.spec.containers[0].name : "");
  if (!container) {
    throw badRequest(`a container name must be specified for pod ${podName}, choose one of: [${containers.join(" ")}]`);
  }
  if (!containers.includes(container)) throw badRequest(`container ${container} is not valid for pod ${podName}`);
  const running = deps.runtime.containerOf(namespace, podName, container);
  if (!running?.started) {
    const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    const reason = statuses.find((s) => s.name === container)?.state?.waiting?.reason ?? "ContainerCreating";
    throw badRequest(`container "${container}" in pod "${podName}" is waiting to start: ${reason}`);
  }
  const follow = query.get("follow") === "true";
  const since = sinceNanos(query);
  const stream = await deps.docker.logs(running.id, {
    follow,
    sinceSeconds: since === undefined ? undefined : Number(since / 1_000_000_000n),
  });
  const dropIndex = follow ? deps.drops.findIndex((drop) => drop.container === container) : -1;
  const drop = dropIndex === -1 ? undefined : deps.drops.splice(dropIndex, 1)[0];
  response.writeHead(200, { "content-type": "text/plain" });
  response.flushHeaders();
  let lines = 0;
  const split = createFrameSplitter((payload) => {
    if (response.destroyed) return;
    const space = payload.indexOf(0x20);
    const stamp = payload.subarray(0, space).toString();
    if (since !== undefined && nanosOf(stamp) < since) return;
    const content = payload.subarray(space + 1);
    const line =
      query.get("timestamps") === "true" ? Buffer.concat([Buffer.from(`${kubeletTime(stamp)} `), content]) : content;
    if (drop && lines === drop.afterLines) {
      response.write(line.subarray(0, Math.max(1, Math.floor(line.length / 2))));
      stream.destroy();
      response.socket?.destroy();
      return;
    }
    response.write(line);
    lines++;
  });
  stream.on("data", (bytes: Buffer) => split(bytes));
  stream.on("end", () => response.end());
  stream.on("error", () => response.destroy());
  request.on("close", () => stream.destroy());
}

function sinceNanos(query: URLSearchParams): bigint | undefined {
  const sinceTime = query.get("sinceTime");
  if (sinceTime) {
    const nanos = nanosOf(sinceTime);
    if (nanos < 0n) throw badRequest(`invalid sinceTime ${JSON.stringify(sinceTime)}: must be RFC 3339`);
    return nanos;
  }
  const seconds = query.get("sinceSeconds");
  return seconds ? BigInt(Date.now() - Number(seconds) * 1000) * 1_000_000n : undefined;
}

/** Nanoseconds since the epoch of an RFC 3339 time with up to nine fraction digits; -1 if malformed. */
export function nanosOf(stamp: string): bigint {
  const match = /^(.{19})(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(stamp);
  const millis = match ? Date.parse(`${match[1]}${match[3]}`) : Number.NaN;
  if (!match || Number.isNaN(millis)) return -1n;
  return BigInt(millis) * 1_000_000n + BigInt((match[2] ?? "").padEnd(9, "0"));
}

/** Docker's fixed nine fraction digits, trimmed the way Go's RFC3339Nano layout (the kubelet's) trims them. */
function kubeletTime(stamp: string): string {
  return stamp.replace(/\.(\d*?)0+Z$/, (_, digits: string) => (digits ? `.${digits}Z` : "Z"));
}
