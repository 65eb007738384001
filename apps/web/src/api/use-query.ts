import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { describeProblem, type Problem } from "./problems.js";
import { useSession } from "./session-context.js";

/** The state of one API read: its data once loaded, the problem of the last attempt, and reload. */
export interface QueryState<T> {
  data: T | undefined;
  problem: Problem | undefined;
  loading: boolean;
  reload(): void;
}

/**
 * Runs `load` when `deps` change (and every `refreshMs` while `refreshWhile` holds), keeping the
 * last data on screen during refreshes. A rejected token signs the session out with the reason.
 * `what` names the read in error messages ("load the tests").
 */
export function useQuery<T>(
  what: string,
  load: (signal: AbortSignal) => Promise<T>,
  deps: unknown[],
  opts: { refreshMs?: number; refreshWhile?: (data: T | undefined) => boolean } = {},
): QueryState<T> {
  const session = useSession();
  const [data, setData] = useState<T | undefined>(undefined);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const latest = useRef<T | undefined>(undefined);
  const lastTick = useRef(tick);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      try {
        const value = await load(controller.signal);
        if (controller.signal.aborted) return;
        latest.current = value;
        setData(value);
        setProblem(undefined);
      } catch (error) {
        if (controller.signal.aborted) return;
        const p = describeProblem(error, what);
        if (p.signOut) return session.signOut(`${p.title}. ${p.action}`);
        setProblem(p);
      } finally {
        if (!controller.signal.aborted) setLoading(false);
      }
      const again = opts.refreshMs && (opts.refreshWhile ? opts.refreshWhile(latest.current) : true);
      if (again && !controller.signal.aborted) timer = setTimeout(run, opts.refreshMs);
    };
    // New deps show a fresh loading state rather than the previous page's data.
    if (lastTick.current === tick) {
      latest.current = undefined;
      setData(undefined);
    }
    lastTick.current = tick;
    setLoading(true);
    void run();
    return () => {
      controller.abort();
      if (timer) clearTimeout(timer);
    };
  }, [...deps, tick, session.namespace]);

  return { data, problem, loading: loading && data === undefined, reload };
}
