export * from "./executor.js";
export { createOutputChannel, type OutputChannel } from "./output-channel.js";
export { openResultFile, readResultsDir } from "./results-dir.js";
export { expandResultsDir, expandResultsDirInEnv, RESULTS_DIR_REFERENCE } from "./results-dir-expansion.js";
export { DEFAULT_FILE_MODE, workloadFilePath } from "./workload-file-path.js";
