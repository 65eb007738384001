import { ApiError, notFound } from "./api-error.js";
import type { JobController } from "./job-controller.js";
import type { KubeObject, ObjectStore, ResourceName } from "./object-store.js";
import type { PodRuntime } from "./pod-runtime.js";
import { apiTime } from "./pod-status.js";

const CONTENTS: ResourceName[] = ["jobs", "pods", "configmaps", "secrets"];

/**
 * Namespace lifecycle: deletion marks the namespace Terminating, deletes everything in it (Jobs in
 * the background, pods gracefully), and removes the namespace once it is empty. Creating objects
 * in a namespace that is missing (404) or terminating (403) fails as it does in the API server.
 */
export function createNamespaceController(store: ObjectStore, jobs: JobController, runtime: PodRuntime) {
  const isEmpty = (namespace: string) => CONTENTS.every((resource) => store.list(resource, namespace).length === 0);

  store.subscribe((event) => {
    const namespace = event.object.metadata.namespace;
    if (event.type !== "DELETED" || !namespace) return;
    if (store.get("namespaces", undefined, namespace)?.metadata.deletionTimestamp && isEmpty(namespace)) {
      store.remove("namespaces", undefined, namespace);
    }
  });

  return {
    /** Throws unless objects may be created in `namespace`. */
    requireActive(namespace: string): void {
      const found = store.get("namespaces", undefined, namespace);
      if (!found) throw notFound("namespaces", "", namespace);
      if (found.metadata.deletionTimestamp) {
        throw new ApiError(
          403,
          "Forbidden",
          `unable to create new content in namespace ${namespace} because it is being terminated`,
        );
      }
    },
    delete(name: string): KubeObject {
      const found = store.get("namespaces", undefined, name);
      if (!found) throw notFound("namespaces", "", name);
      if (found.metadata.deletionTimestamp) return found;
      const updated = store.mutate("namespaces", undefined, name, (namespace) => {
        namespace.metadata.deletionTimestamp = apiTime();
        namespace.spec = { finalizers: ["kubernetes"] };
        namespace.status = { phase: "Terminating" };
      })!;
      for (const job of store.list("jobs", name))
        if (!job.metadata.deletionTimestamp) jobs.delete(name, job.metadata.name, "Background");
      for (const pod of store.list("pods", name)) runtime.delete(name, pod.metadata.name);
      for (const resource of ["configmaps", "secrets"] as const) {
        for (const object of store.list(resource, name)) store.remove(resource, name, object.metadata.name);
      }
      if (isEmpty(name)) store.remove("namespaces", undefined, name);
      return updated;
    },
  };
}

export type NamespaceController = ReturnType<typeof createNamespaceController>;
