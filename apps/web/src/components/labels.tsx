/** `key=value` chips for a label map, sorted by key; a dash when there are none. */
export function Labels({ labels }: { labels: Record<string, string> }) {
  const entries = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  if (!entries.length) return <span class="muted">—</span>;
  return (
    <span class="chips">
      {entries.map(([key, value]) => (
        <span key={key} class="chip">
          {key}={value}
        </span>
      ))}
    </span>
  );
}

/** A list of selector expressions as code chips. */
export function Selectors({ selectors, none }: { selectors: string[]; none: string }) {
  if (!selectors.length) return <span class="muted">{none}</span>;
  return (
    <span class="chips">
      {selectors.map((s) => (
        <code key={s} class="chip">
          {s}
        </code>
      ))}
    </span>
  );
}
