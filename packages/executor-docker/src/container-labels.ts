import type { ExecutionSpec } from "@tstr/executor";

/**
 * Label keys tstr puts on its containers. A reverse-DNS prefix keeps them apart from labels the
 * image or other tools set; the runner id label is what orphan cleanup selects on.
 */
export const containerLabelKeys = {
  runId: "dev.tstr.run-id",
  attempt: "dev.tstr.attempt",
  runnerId: "dev.tstr.runner-id",
  /** Prefix of the run's own labels: `dev.tstr.label/<key>`. */
  runLabelPrefix: "dev.tstr.label/",
} as const;

/** All labels of one attempt's container. */
export function containerLabels(spec: ExecutionSpec, runnerId: string): Record<string, string> {
  const labels: Record<string, string> = {
    [containerLabelKeys.runId]: spec.runId,
    [containerLabelKeys.attempt]: String(spec.attempt),
    [containerLabelKeys.runnerId]: runnerId,
  };
  for (const [key, value] of Object.entries(spec.labels)) labels[`${containerLabelKeys.runLabelPrefix}${key}`] = value;
  return labels;
}

/**
 * A container (and results directory) name unique per attempt: readable in `docker ps`, valid
 * for Docker's name rules whatever the run id contains, and suffixed so a retried start never
 * collides with a container a crashed attempt left behind.
 */
export function containerNameFor(spec: ExecutionSpec, suffix: string): string {
  const runId = spec.runId.replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 64);
  return `tstr-${runId}-a${spec.attempt}-${suffix}`;
}
