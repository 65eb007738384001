export * from "./executor.js";
export { createOutputChannel, type OutputChannel } from "./output-channel.js";
export { readResultsDir } from "./results-dir.js";
export { DEFAULT_FILE_MODE, workloadFilePath } from "./workload-file-path.js";
