import { describe, expect, it } from "vitest";
import type { KubeApi } from "./kube-api.js";
import { KubeApiError } from "./kube-api-error.js";
import { deleteRunObjects } from "./run-objects.js";

/** A KubeApi whose deletions are recorded; the listed ones fail with the given HTTP status. */
function recordingApi(failing: Record<string, number>) {
  const deleted: string[] = [];
  const remove = (what: string) => async () => {
    deleted.push(what);
    const status = failing[what];
    if (status) throw new KubeApiError(status, "Forbidden", `${what} refused`);
  };
  const gone = async () => {
    throw new KubeApiError(404, "NotFound", "not found");
  };
  const api = {
    deletePod: (_ns: string, name: string) => remove(`pod/${name}`)(),
    deleteJob: (_ns: string, name: string) => remove(`job/${name}`)(),
    deleteConfigMap: (_ns: string, name: string) => remove(`configmap/${name}`)(),
    deleteNamespace: (name: string) => remove(`namespace/${name}`)(),
    readJob: gone,
    readNamespace: gone,
  } as unknown as KubeApi;
  return { api, deleted };
}

describe("deleteRunObjects", () => {
  const run = { namespace: "tstr-run", runKey: "tstr-run", isolatedNamespace: true, filesConfigMap: "tstr-run-files" };

  it("attempts every deletion after one fails, then reports each failure", async () => {
    const { api, deleted } = recordingApi({ "job/tstr-run": 500, "namespace/tstr-run": 403 });
    const failure = await deleteRunObjects(api, run, { podGraceSeconds: 1, podName: "tstr-run-x", waitMs: 0 }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(deleted).toEqual(["pod/tstr-run-x", "job/tstr-run", "configmap/tstr-run-files", "namespace/tstr-run"]);
    expect(failure).toBeInstanceOf(AggregateError);
    expect((failure as AggregateError).errors).toHaveLength(2);
    expect((failure as Error).message).toMatch(
      /deleting job tstr-run in namespace tstr-run: .*deleting namespace tstr-run/,
    );
  });

  it("takes 404 as already gone", async () => {
    const { api, deleted } = recordingApi({ "job/tstr-run": 404, "configmap/tstr-run-files": 404 });
    await deleteRunObjects(api, run, { waitMs: 0 });
    expect(deleted).toEqual(["job/tstr-run", "configmap/tstr-run-files", "namespace/tstr-run"]);
  });
});
