/**
 * The structured logger the agent writes to. Declared here (not imported from the control plane)
 * so the runner depends only on the domain and the wire; the app passes its JSON logger in.
 */
export interface RunnerLogger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): RunnerLogger;
}

/** Drops everything; the default when no logger is given. */
export const silentRunnerLogger: RunnerLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentRunnerLogger,
};
