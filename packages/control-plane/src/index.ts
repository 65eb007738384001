export * from "./control-plane.js";
export * from "./errors.js";
export * from "./logging/logger.js";
export { DEFAULT_NAMESPACE } from "./namespaces/resolve-namespace.js";
export { DEFAULT_RUN_TIMINGS, type RunTimings } from "./runs/run-subsystem.js";
