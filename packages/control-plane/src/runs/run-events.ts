import { CHANNELS, createListener } from "@tstr/db";
import type { Logger } from "../logging/logger.js";

/** What changed, as announced through PostgreSQL NOTIFY by any replica. */
export type RunEventKind = "queued" | "progress" | "cancel";

/**
 * One LISTEN connection per replica that fans database notifications out to the streams and
 * long-polls waiting on this replica: new queued runs, run progress (logs, state) and cancels.
 * After a reconnect every waiter is woken, since notifications sent meanwhile are lost.
 */
export interface RunEvents {
  /** Resolves on the next event that `interested` accepts, when `signal` aborts, or after `maxWaitMs`. */
  next(
    interested: (kind: RunEventKind, payload: string) => boolean,
    signal: AbortSignal,
    maxWaitMs: number,
  ): Promise<void>;
  /**
   * A standing subscription for a loop that re-reads state and then waits: events that arrive
   * while the loop is busy (querying, or suspended at a `yield`) are remembered, so the next
   * `wait` returns at once instead of missing them. Call `clear` right before re-reading.
   */
  watch(interested: (kind: RunEventKind, payload: string) => boolean, signal: AbortSignal): RunEventWatch;
  /** Wakes every waiter on this replica (e.g. right after queueing runs locally). */
  wakeAll(): void;
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/** See {@link RunEvents.watch}. */
export interface RunEventWatch {
  /** Forgets the events seen so far; call right before re-reading the state they announce. */
  clear(): void;
  /** Resolves at once if an event came since `clear`, else on the next one, an abort or `maxWaitMs`. */
  wait(maxWaitMs: number): Promise<void>;
  close(): void;
}

const KIND_BY_CHANNEL: Record<string, RunEventKind> = {
  [CHANNELS.runQueued]: "queued",
  [CHANNELS.runProgress]: "progress",
  [CHANNELS.runCancel]: "cancel",
};

export function createRunEvents(databaseUrl: string, logger: Logger, onReconnect: () => void = () => {}): RunEvents {
  type Waiter = { interested: (kind: RunEventKind, payload: string) => boolean; wake: () => void };
  const waiters = new Set<Waiter>();
  const wakeAll = () => {
    for (const waiter of waiters) waiter.wake();
  };
  const listener = createListener(
    databaseUrl,
    Object.keys(KIND_BY_CHANNEL),
    (channel, payload) => {
      const kind = KIND_BY_CHANNEL[channel];
      if (!kind) return;
      for (const waiter of waiters) if (waiter.interested(kind, payload)) waiter.wake();
    },
    {
      onConnected: () => {
        onReconnect();
        wakeAll();
      },
      onError: (error) => logger.warn("run event listener lost its connection; reconnecting", { error: error.message }),
    },
  );
  return {
    ready: listener.ready,
    wakeAll,
    next(interested, signal, maxWaitMs) {
      if (signal.aborted) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const waiter: Waiter = { interested, wake: () => done() };
        const timer = setTimeout(() => done(), maxWaitMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(waiter);
          signal.removeEventListener("abort", done);
          resolve();
        };
        waiters.add(waiter);
        signal.addEventListener("abort", done, { once: true });
      });
    },
    watch(interested, signal) {
      let pending = false;
      let wake: (() => void) | undefined;
      const waiter: Waiter = {
        interested,
        wake: () => {
          pending = true;
          wake?.();
        },
      };
      const close = () => {
        waiters.delete(waiter);
        wake?.();
      };
      waiters.add(waiter);
      signal.addEventListener("abort", close, { once: true });
      return {
        clear: () => {
          pending = false;
        },
        wait(maxWaitMs) {
          if (pending || signal.aborted) return Promise.resolve();
          return new Promise<void>((resolve) => {
            const timer = setTimeout(() => done(), maxWaitMs);
            const done = () => {
              clearTimeout(timer);
              wake = undefined;
              resolve();
            };
            wake = done;
          });
        },
        close() {
          signal.removeEventListener("abort", close);
          close();
        },
      };
    },
    async close() {
      wakeAll();
      await listener.close();
    },
  };
}
