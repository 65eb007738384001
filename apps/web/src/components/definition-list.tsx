import type { ComponentChildren } from "preact";

/** A compact two-column list of facts (term: value); rows with an undefined value are left out. */
export function Facts({ rows }: { rows: [string, ComponentChildren | undefined][] }) {
  return (
    <dl class="facts">
      {rows
        .filter(([, value]) => value !== undefined && value !== "")
        .map(([term, value]) => (
          <div key={term} class="fact">
            <dt>{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
    </dl>
  );
}
