import { KubeConfig } from "@kubernetes/client-node";
import type { ExecutionSpec } from "@tstr/executor";
import {
  DOCKER_SOCKET,
  dockerAvailable,
  ensureTestImage,
  type KubernetesEmulator,
  startKubernetesEmulator,
} from "@tstr/testing";
import Dockerode from "dockerode";
import { labelValue, RUN_LABELS } from "../run-labels.js";

/** A Kubernetes API emulator backed by the local Docker engine, and the busybox test image. */
export interface EmulatedCluster {
  emulator: KubernetesEmulator;
  kubeConfig: KubeConfig;
  image: string;
  /** Objects and containers still there for a run. */
  leftovers(spec: ExecutionSpec): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * Starts the emulator (the test double standing in for an API server, which cannot run here).
 * Fails, never skips, without a Docker engine: CI installs one, so its absence is a broken setup.
 */
export async function startEmulatedCluster(): Promise<EmulatedCluster> {
  if (!(await dockerAvailable())) {
    throw new Error(`No Docker engine answers on ${DOCKER_SOCKET}: run \`bash .ci/ensure-docker.sh\` first`);
  }
  const image = await ensureTestImage(new Dockerode({ socketPath: DOCKER_SOCKET }));
  const emulator = await startKubernetesEmulator();
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions(emulator.kubeConfig);
  return {
    emulator,
    kubeConfig,
    image,
    leftovers: (spec) => emulator.leftovers(`${RUN_LABELS.runId}=${labelValue(spec.runId)}`),
    close: () => emulator.close(),
  };
}
