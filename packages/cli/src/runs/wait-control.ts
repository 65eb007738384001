import type { CliIo } from "../cli-io.js";

/** setTimeout's longest delay (about 24.8 days); longer ones would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Why a wait on runs ended early. */
export type StopReason = "timeout" | "interrupt";

/** Ends a wait on --timeout or Ctrl-C; neither touches the runs themselves. */
export interface WaitControl {
  signal: AbortSignal;
  /** Set once the signal has aborted. */
  readonly stopReason: StopReason | undefined;
  dispose(): void;
}

/** Starts the clock of `--timeout` (when given) and listens for Ctrl-C until `dispose()`. */
export function startWaitControl(io: CliIo, timeoutMs?: number): WaitControl {
  const controller = new AbortController();
  let stopReason: StopReason | undefined;
  const stop = (reason: StopReason) => {
    stopReason ??= reason;
    controller.abort();
  };
  const timer =
    timeoutMs === undefined ? undefined : setTimeout(() => stop("timeout"), Math.min(timeoutMs, MAX_TIMER_MS));
  const unsubscribe = io.onInterrupt?.(() => stop("interrupt"));
  return {
    signal: controller.signal,
    get stopReason() {
      return stopReason;
    },
    dispose() {
      clearTimeout(timer);
      unsubscribe?.();
    },
  };
}
