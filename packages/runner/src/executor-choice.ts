import type { Executor } from "@tstr/executor";
import { createDockerExecutor } from "@tstr/executor-docker";
import { createKubernetesExecutor } from "@tstr/executor-kubernetes";
import { createProcessExecutor } from "@tstr/executor-process";

/** The backends a `tstr runner` can drive. */
export type ExecutorKind = "docker" | "process" | "kubernetes";

export interface ExecutorChoice {
  kind: ExecutorKind;
  /** Put on every container, so a restarted runner finds (and removes) its own orphans. */
  runnerName: string;
  /** Root of the process executor's per-run directories. */
  workDir: string;
  /** Variables process workloads inherit when the run does not set them (PATH, HOME). */
  processBaseEnv?: Record<string, string>;
  /** Network of Docker workloads whose spec names none (default none). */
  dockerNetwork?: "none" | "host";
  /** Namespace of Kubernetes Jobs (default: the kubeconfig context's, else "default"). */
  kubeNamespace?: string;
  /** Kubeconfig file (default: $KUBECONFIG, ~/.kube/config, else the pod's service account). */
  kubeconfig?: string;
}

/**
 * Builds the executor a runner was configured with. Lives here rather than in the app so the app
 * needs no dependency on each backend, and the choice stays next to the agent that uses it.
 */
export function createExecutor(choice: ExecutorChoice): Executor {
  if (choice.kind === "process") {
    return createProcessExecutor({ workRoot: choice.workDir, baseEnv: choice.processBaseEnv });
  }
  if (choice.kind === "kubernetes") {
    return createKubernetesExecutor({
      runnerId: choice.runnerName,
      namespace: choice.kubeNamespace,
      kubeconfigPath: choice.kubeconfig,
    });
  }
  return createDockerExecutor({ runnerId: choice.runnerName, defaultNetwork: choice.dockerNetwork });
}
