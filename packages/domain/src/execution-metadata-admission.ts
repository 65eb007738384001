/**
 * Factors may add up to 1 at a location; the slack absorbs floating-point sums (0.1 + 0.2), the
 * same slack the claim of factored tstr runs allows.
 */
export const LOCATION_FACTOR_EPSILON = 1e-9;

/** Whether `factor` more fits at a location where `used` is already taken. */
export function fitsLocation(used: number, factor: number): boolean {
  return used + factor <= 1 + LOCATION_FACTOR_EPSILON;
}

/** A run holding part of a location's capacity, as a refusal describes it. */
export interface LocationOccupant {
  runId: string;
  namespace: string;
  testName: string;
  runNumber?: number;
  factor: number;
  external: boolean;
  /** When it started (or was assigned); absent for a run not started yet. */
  since?: Date;
}

/** What a refused registration is told. */
export interface LocationFullReport {
  location: string;
  /** The factor the refused execution asked for. */
  needed: number;
  occupants: readonly LocationOccupant[];
  /** The caller's namespace: its runs are named without a namespace prefix. */
  namespace: string;
  /** Whether the caller may see a namespace; runs of others are listed without names. */
  canSee: (namespace: string) => boolean;
  now: Date;
}

const MAX_LISTED = 5;

/**
 * The refusal of an execution that does not fit its location, naming what holds the capacity:
 * `location "lab-1" is full: 0.7 of 1 in use by #12 perf-nightly (0.5, external, since 10:02Z),
 * soak (0.2, run 0b6f3c1e, since 10:05Z); this execution needs 0.4`. Runs of namespaces the caller
 * cannot see are counted but not named. At most five are listed, the largest first.
 */
export function locationFullMessage(report: LocationFullReport): string {
  const used = report.occupants.reduce((sum, o) => sum + o.factor, 0);
  const listed = [...report.occupants]
    .sort((a, b) => b.factor - a.factor || (a.since?.getTime() ?? 0) - (b.since?.getTime() ?? 0))
    .slice(0, MAX_LISTED)
    .map((o) => describeOccupant(o, report));
  const more = report.occupants.length - listed.length;
  const holders = listed.length ? ` by ${listed.join(", ")}${more > 0 ? ` and ${more} more` : ""}` : "";
  return (
    `location ${JSON.stringify(report.location)} is full: ${formatFactor(used)} of 1 in use${holders}; ` +
    `this execution needs ${formatFactor(report.needed)}`
  );
}

function describeOccupant(o: LocationOccupant, report: LocationFullReport): string {
  const since = o.since ? `, since ${formatSince(o.since, report.now)}` : "";
  if (!report.canSee(o.namespace)) return `a run of another namespace (${formatFactor(o.factor)}${since})`;
  const name = o.namespace === report.namespace ? o.testName : `${o.namespace}/${o.testName}`;
  const label = o.runNumber !== undefined ? `#${o.runNumber} ${name}` : name;
  const kind = o.external ? ", external" : o.runNumber === undefined ? `, run ${o.runId.slice(0, 8)}` : "";
  return `${label} (${formatFactor(o.factor)}${kind}${since})`;
}

/** A factor to three decimals without trailing zeros (0.30000000000000004 → "0.3"). */
export function formatFactor(factor: number): string {
  return String(Number(factor.toFixed(3)));
}

/** "10:02Z" on the same UTC day as `now`, else "2026-11-20T10:02Z". */
function formatSince(at: Date, now: Date): string {
  const iso = at.toISOString();
  const time = `${iso.slice(11, 16)}Z`;
  return iso.slice(0, 10) === now.toISOString().slice(0, 10) ? time : `${iso.slice(0, 10)}T${time}`;
}
