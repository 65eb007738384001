/**
 * @tstr/cli — the `tstrctl` commands (also `tstr ctl`). The app binary calls
 * `runCli(process.argv.slice(2), io)` and exits with the code it returns.
 */

export type { CliIo } from "./cli-io.js";
export { type ApiClientOptions, type ApiClients, type ApiTarget, createApiClients } from "./client/api-clients.js";
export { runCli } from "./run-cli.js";
