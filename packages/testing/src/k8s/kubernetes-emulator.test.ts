import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { dockerSocketClient } from "../docker/docker-socket-client.js";
import { dockerAvailable, ensureTestImage } from "../docker/ensure-test-image.js";
import { type KubernetesEmulator, startKubernetesEmulator } from "./kubernetes-emulator.js";

// biome-ignore lint/suspicious/noExplicitAny: API objects as JSON, read field by field in assertions.
type ApiJson = Record<string, any>;

// The emulator is a test double for the Kubernetes API server; these check that it answers the
// way the real one does where the executor's own tests do not look closely.
describe("kubernetes emulator", () => {
  let emulator: KubernetesEmulator;
  let image: string;
  let setupError: unknown;
  beforeAll(async () => {
    try {
      if (!(await dockerAvailable())) throw new Error("no Docker engine: run `bash .ci/ensure-docker.sh`");
      image = await ensureTestImage(dockerSocketClient());
      emulator = await startKubernetesEmulator({ watchHistory: 20 });
    } catch (err) {
      setupError = err;
    }
  }, 60_000);
  beforeEach(() => {
    if (setupError) throw setupError;
  });
  afterAll(() => emulator?.close(), 60_000);

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${emulator.url}${path}`, {
      method,
      ...(body ? { body: JSON.stringify(body), headers: { "content-type": "application/json" } } : {}),
    });
    return { status: response.status, body: (await response.json()) as ApiJson };
  };
  const job = (name: string, script: string) => ({
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, labels: { suite: "emulator" } },
    spec: {
      backoffLimit: 0,
      template: {
        spec: { restartPolicy: "Never", containers: [{ name: "main", image, command: ["sh", "-c", script] }] },
      },
    },
  });
  const podsOf = async (name: string) =>
    (await call("GET", `/api/v1/namespaces/default/pods?labelSelector=job-name%3D${name}`)).body.items as ApiJson[];
  const until = async <T>(probe: () => Promise<T | undefined>): Promise<T> => {
    for (let i = 0; i < 100; i++) {
      const value = await probe();
      if (value !== undefined) return value;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error("timed out");
  };

  it("answers creates, conflicts, lookups and invalid objects with the API's codes and Status bodies", async () => {
    const namespace = { apiVersion: "v1", kind: "Namespace", metadata: { name: "emu-a" } };
    expect((await call("POST", "/api/v1/namespaces", namespace)).status).toBe(201);
    expect(await call("POST", "/api/v1/namespaces", namespace)).toMatchObject({
      status: 409,
      body: {
        kind: "Status",
        status: "Failure",
        reason: "AlreadyExists",
        message: 'namespaces "emu-a" already exists',
        code: 409,
      },
    });
    expect(await call("GET", "/apis/batch/v1/namespaces/emu-a/jobs/nope")).toMatchObject({
      status: 404,
      body: { reason: "NotFound", message: 'jobs.batch "nope" not found' },
    });
    const configMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { a: "1" } };
    expect((await call("POST", "/api/v1/namespaces/missing/configmaps", configMap)).status).toBe(404);
    const badName = { ...configMap, metadata: { name: "Bad_Name" } };
    expect(await call("POST", "/api/v1/namespaces/emu-a/configmaps", badName)).toMatchObject({
      status: 422,
      body: { reason: "Invalid" },
    });
    const badJob = job("bad", "true");
    badJob.spec.template.spec.restartPolicy = "Always";
    expect(await call("POST", "/apis/batch/v1/namespaces/default/jobs", badJob)).toMatchObject({
      status: 422,
      body: { message: expect.stringContaining("spec.template.spec.restartPolicy") },
    });
    expect((await call("GET", "/api/v1/namespaces/default/secrets")).status).toBe(404);
  });

  it("runs a Job's pod as a container: owner reference, exit code, log, Failed condition", async () => {
    expect(
      (await call("POST", "/apis/batch/v1/namespaces/default/jobs", job("fails", "echo out; echo err >&2; exit 4")))
        .status,
    ).toBe(201);
    const pod = await until(async () => {
      const [found] = await podsOf("fails");
      return found?.status.containerStatuses?.[0]?.state.terminated ? found : undefined;
    });
    expect(pod.metadata.ownerReferences[0]).toMatchObject({ kind: "Job", name: "fails", controller: true });
    expect(pod.status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 4, reason: "Error" });
    const log = await fetch(`${emulator.url}/api/v1/namespaces/default/pods/${pod.metadata.name}/log?container=main`);
    // stdout and stderr merged, as the kubelet serves them (their relative order is not guaranteed).
    expect((await log.text()).split("\n").sort()).toEqual(["", "err", "out"]);
    const finished = await until(async () => {
      const { body } = await call("GET", "/apis/batch/v1/namespaces/default/jobs/fails");
      return body.status.conditions?.find((c: { type: string }) => c.type === "Failed") ? body : undefined;
    });
    expect(finished.status).toMatchObject({ failed: 1, active: 0 });
  });

  it("orphans the pods of a Job deleted without a propagationPolicy (the batch/v1 default)", async () => {
    await call("POST", "/apis/batch/v1/namespaces/default/jobs", job("orphaning", "sleep 30"));
    await until(async () => (await podsOf("orphaning"))[0]);
    expect((await call("DELETE", "/apis/batch/v1/namespaces/default/jobs/orphaning")).body).toMatchObject({
      status: "Success",
    });
    const pod = (await podsOf("orphaning"))[0]!;
    expect(pod.metadata.ownerReferences ?? []).toEqual([]);
    expect(
      (await call("DELETE", `/api/v1/namespaces/default/pods/${pod.metadata.name}?gracePeriodSeconds=1`)).body.metadata
        .deletionTimestamp,
    ).toBeDefined();
    await until(async () => ((await podsOf("orphaning")).length === 0 ? true : undefined));
  });

  it("streams watch events from a resourceVersion, and answers a compacted one with 410 Gone", async () => {
    const { body: list } = await call("GET", "/api/v1/namespaces?labelSelector=suite%3Demulator");
    const watch = await fetch(
      `${emulator.url}/api/v1/namespaces?watch=true&labelSelector=suite%3Demulator&resourceVersion=${list.metadata.resourceVersion}`,
    );
    const reader = watch.body!.getReader();
    await call("POST", "/api/v1/namespaces", { metadata: { name: "emu-w", labels: { suite: "emulator" } } });
    await call("DELETE", "/api/v1/namespaces/emu-w");
    let text = "";
    while (text.split("\n").length < 4) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    const events = text
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(events.map((e) => [e.type, e.object.metadata.name, e.object.status?.phase])).toEqual([
      ["ADDED", "emu-w", "Active"],
      ["MODIFIED", "emu-w", "Terminating"],
      ["DELETED", "emu-w", "Terminating"],
    ]);
    expect(Number(events[1].object.metadata.resourceVersion)).toBeGreaterThan(
      Number(events[0].object.metadata.resourceVersion),
    );
    const gone = await (await fetch(`${emulator.url}/api/v1/namespaces?watch=true&resourceVersion=1`)).text();
    expect(JSON.parse(gone)).toMatchObject({ type: "ERROR", object: { kind: "Status", code: 410, reason: "Expired" } });
  });
});
