import { KubeConfig } from "@kubernetes/client-node";
import { ExecutorError } from "@tstr/executor";

/** Where the executor's cluster credentials come from. */
export interface KubeConfigSource {
  /** A kubeconfig file (out of cluster). */
  kubeconfigPath?: string;
  /** The pod's service account (in cluster): token, CA and namespace under /var/run/secrets. */
  inCluster?: boolean;
  /** A context of the kubeconfig other than its current one. */
  context?: string;
}

/**
 * Loads the cluster configuration: the service account when `inCluster`, the file when
 * `kubeconfigPath`, else client-node's default search ($KUBECONFIG, ~/.kube/config, then the
 * in-cluster service account). Called once at the composition root.
 */
export function loadKubeConfig(source: KubeConfigSource = {}): KubeConfig {
  const kubeConfig = new KubeConfig();
  try {
    if (source.inCluster) kubeConfig.loadFromCluster();
    else if (source.kubeconfigPath) kubeConfig.loadFromFile(source.kubeconfigPath);
    else kubeConfig.loadFromDefault();
    if (source.context) kubeConfig.setCurrentContext(source.context);
  } catch (err) {
    throw new ExecutorError(
      "EXECUTOR_UNAVAILABLE",
      `cannot load the Kubernetes configuration: ${(err as Error).message}`,
    );
  }
  const server = kubeConfig.getCurrentCluster()?.server;
  if (!server) throw new ExecutorError("EXECUTOR_UNAVAILABLE", "the Kubernetes configuration names no current cluster");
  // loadFromCluster outside a pod builds "https://undefined:undefined" from the missing service env.
  if (server.includes("undefined")) {
    throw new ExecutorError(
      "EXECUTOR_UNAVAILABLE",
      `no Kubernetes API server to talk to (${server}): not running in a pod?`,
    );
  }
  return kubeConfig;
}

/** The namespace of the kubeconfig's current context (the service account's, in cluster). */
export function contextNamespace(kubeConfig: KubeConfig): string | undefined {
  return kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace || undefined;
}
