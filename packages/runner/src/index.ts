// Public API of @tstr/runner: the agent that executes runs pushed by the tstr control plane.
export * from "./agent.js";
export * from "./backoff.js";
export * from "./clock.js";
export * from "./executor-choice.js";
export * from "./logger.js";
export * from "./rpc-errors.js";
export * from "./runner-client.js";
