import { randomUUID } from "node:crypto";
import { describeExecutorContract } from "@tstr/executor/contract";
import { createKubernetesExecutor } from "./kubernetes-executor.js";
import { startEmulatedCluster } from "./test-support/emulated-cluster.js";

// The shared executor contract against the Kubernetes API emulator, whose pods are real Docker
// containers: exit codes, output, files, results and signals are real; the API server is not.
describeExecutorContract("kubernetes (emulated API server, Docker-backed pods)", async () => {
  const cluster = await startEmulatedCluster();
  const runnerId = `contract-${randomUUID()}`;
  const executor = () =>
    createKubernetesExecutor({
      runnerId,
      kubeConfig: cluster.kubeConfig,
      resultsImage: cluster.image,
      removeTimeoutMs: 15_000,
      resultsTimeoutMs: 15_000,
    });
  return {
    executor: executor(),
    image: cluster.image,
    earlierRunner: async () => executor(),
    missingCommand: { reason: "START_FAILED" },
    mergedStreams: true,
    leftovers: cluster.leftovers,
    teardown: cluster.close,
  };
});
