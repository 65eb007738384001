/** A background pass that runs when woken, every `intervalMs` otherwise, and never twice at once. */
export interface WakeableLoop {
  /** Runs a pass soon; during a pass, one more follows it. */
  wake(): void;
  /** Stops scheduling, aborts the pass's signal and resolves when it has ended. */
  stop(): Promise<void>;
}

/**
 * Starts a loop of `pass`. A pass returning true (more work right now) is followed at once; a
 * failing pass is reported to `onError` and retried after the interval, so an outage never
 * spins.
 */
export function startWakeableLoop(
  pass: (signal: AbortSignal) => Promise<boolean>,
  opts: { intervalMs: number; onError: (error: unknown) => void },
): WakeableLoop {
  const stopping = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let wokenDuringPass = false;

  const schedule = (delayMs: number) => {
    clearTimeout(timer);
    if (stopping.signal.aborted) return;
    timer = setTimeout(run, delayMs);
    timer.unref();
  };

  function run() {
    clearTimeout(timer);
    if (stopping.signal.aborted) return;
    if (running) {
      wokenDuringPass = true;
      return;
    }
    wokenDuringPass = false;
    running = pass(stopping.signal).then(
      (more) => {
        running = undefined;
        schedule(more || wokenDuringPass ? 0 : opts.intervalMs);
      },
      (error: unknown) => {
        running = undefined;
        if (!stopping.signal.aborted) opts.onError(error);
        schedule(opts.intervalMs);
      },
    );
  }

  schedule(0);
  return {
    wake: run,
    async stop() {
      stopping.abort();
      clearTimeout(timer);
      await running;
    },
  };
}
