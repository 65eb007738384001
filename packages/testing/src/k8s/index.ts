export type { RecordedRequest } from "./api-server.js";
export {
  type EmulatorKubeConfig,
  type KubernetesEmulator,
  type KubernetesEmulatorOptions,
  startKubernetesEmulator,
} from "./kubernetes-emulator.js";
export type { KubeObject } from "./object-store.js";
export type { LogStreamDrop } from "./pod-logs.js";
