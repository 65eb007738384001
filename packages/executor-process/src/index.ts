export { createProcessExecutor, type ProcessExecutorOptions } from "./process-executor.js";
