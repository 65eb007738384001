import type { RunStatus } from "@tstr/proto";
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import { followRunLog, type LogLine, type TailState } from "../api/log-tail.js";
import { describeProblem } from "../api/problems.js";
import { useSession } from "../api/session-context.js";
import { formatClock } from "../format/time.js";
import { ProblemBox } from "./states.js";

/** Lines kept in the page; older ones are dropped from view (the full log stays on the server). */
const MAX_LINES = 20_000;
const STREAM_TAGS = { stdout: "out", stderr: "err", system: "sys" } as const;

/**
 * A run's log, live: stdout, stderr and tstr's own lines told apart by colour and a tag, a search
 * that filters and highlights, and "follow" that keeps the newest line in view. Resumes by itself
 * after a dropped connection, showing "reconnecting…" meanwhile.
 */
export function LogView({ runId, onStatus }: { runId: string; onStatus?: (status: RunStatus) => void }) {
  const session = useSession();
  const lines = useRef<LogLine[]>([]);
  const [version, setVersion] = useState(0);
  const [state, setState] = useState<TailState>({ kind: "connecting" });
  const [query, setQuery] = useState("");
  const [follow, setFollow] = useState(true);
  const [shown, setShown] = useState({ stdout: true, stderr: true, system: true });
  const box = useRef<HTMLDivElement>(null);
  const statusCallback = useRef(onStatus);
  statusCallback.current = onStatus;
  useEffect(() => {
    lines.current = [];
    setVersion((v) => v + 1);
    const controller = new AbortController();
    void followRunLog({
      api: session.api,
      runId,
      signal: controller.signal,
      onLines(batch) {
        lines.current = lines.current.concat(batch);
        if (lines.current.length > MAX_LINES) lines.current = lines.current.slice(-MAX_LINES);
        setVersion((v) => v + 1);
      },
      onState: setState,
      onStatus: (status) => statusCallback.current?.(status),
    });
    return () => controller.abort();
  }, [runId, session.api]);

  const needle = query.trim().toLowerCase();
  const visible = useMemo(
    () => lines.current.filter((l) => shown[l.stream] && (!needle || l.text.toLowerCase().includes(needle))),
    [version, needle, shown],
  );
  useLayoutEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [visible, follow]);

  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
    if (atBottom !== follow) setFollow(atBottom);
  };

  return (
    <section class="log-panel" aria-label="Run log">
      <div class="log-toolbar">
        <label class="log-search">
          <span class="sr-only">Search the log</span>
          <input
            type="search"
            placeholder="Search log…"
            value={query}
            onInput={(e) => setQuery((e.target as HTMLInputElement).value)}
          />
        </label>
        {(["stdout", "stderr", "system"] as const).map((stream) => (
          <label key={stream} class={`log-toggle stream-${stream}`}>
            <input
              type="checkbox"
              checked={shown[stream]}
              onChange={(e) => setShown({ ...shown, [stream]: (e.target as HTMLInputElement).checked })}
            />
            {stream}
          </label>
        ))}
        <label class="log-toggle">
          <input
            type="checkbox"
            name="follow"
            checked={follow}
            onChange={(e) => setFollow((e.target as HTMLInputElement).checked)}
          />
          Follow
        </label>
        <TailIndicator state={state} />
      </div>
      {state.kind === "failed" && <ProblemBox problem={describeProblem(state.error, "stream the log")} />}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard to scroll it. */}
      <div class="log-box" ref={box} onScroll={onScroll} data-testid="log-lines" tabIndex={0}>
        {visible.length === 0 ? (
          <div class="log-empty">
            {lines.current.length === 0
              ? state.kind === "ended"
                ? "This run wrote no output."
                : "Waiting for output…"
              : `No line matches “${query}”.`}
          </div>
        ) : (
          visible.map((line) => (
            <div key={line.n} class={`log-line stream-${line.stream}`} data-stream={line.stream}>
              <span class="log-n">{line.n}</span>
              <span class="log-time">{line.time ? formatClock(line.time, true) : ""}</span>
              <span class="log-tag">{STREAM_TAGS[line.stream]}</span>
              <span class="log-text">{needle ? highlight(line.text, needle) : line.text}</span>
            </div>
          ))
        )}
      </div>
    </section>
  );
}

function TailIndicator({ state }: { state: TailState }) {
  const text = {
    connecting: "connecting…",
    live: "live",
    reconnecting: "reconnecting…",
    ended: "complete",
    failed: "stopped",
  }[state.kind];
  const title = state.kind === "reconnecting" ? `attempt ${state.attempt}: ${state.reason}` : undefined;
  return (
    <span class={`tail-state tail-${state.kind}`} role="status" aria-live="polite" title={title} data-tail={state.kind}>
      <span class="tail-dot" aria-hidden="true" />
      {text}
    </span>
  );
}

function highlight(text: string, needle: string) {
  const parts: (string | preact.JSX.Element)[] = [];
  const lower = text.toLowerCase();
  let from = 0;
  for (let at = lower.indexOf(needle); at >= 0; at = lower.indexOf(needle, from)) {
    parts.push(text.slice(from, at), <mark key={at}>{text.slice(at, at + needle.length)}</mark>);
    from = at + needle.length;
  }
  parts.push(text.slice(from));
  return parts;
}
