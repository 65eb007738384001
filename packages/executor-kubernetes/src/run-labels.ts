import { createHash } from "node:crypto";
import type { ExecutionSpec } from "@tstr/executor";

/**
 * Label keys tstr puts on its Jobs, pods, ConfigMaps and namespaces. The runner id label is what
 * the sweeper selects on; the run key (the Job's name) ties one attempt's objects together.
 */
export const RUN_LABELS = {
  managedBy: "app.kubernetes.io/managed-by",
  runnerId: "tstr.dev/runner-id",
  runId: "tstr.dev/run-id",
  attempt: "tstr.dev/attempt",
  runKey: "tstr.dev/run-key",
  test: "tstr.dev/test",
  namespace: "tstr.dev/namespace",
  /** Prefix of the run's own labels: `label.tstr.dev/<key>`. */
  runLabelPrefix: "label.tstr.dev/",
} as const;

/** Annotations keeping the originals of what labels could only hold sanitised. */
export const RUN_ANNOTATIONS = {
  runId: "tstr.dev/run-id",
  runnerId: "tstr.dev/runner-id",
  /** The run's labels as given, JSON. */
  labels: "tstr.dev/labels",
} as const;

/** The run labels the runner adds that get their own keys (not `label.tstr.dev/…`). */
const WELL_KNOWN: Record<string, string> = { test: RUN_LABELS.test, namespace: RUN_LABELS.namespace, "run-id": "" };

const MAX_LABEL = 63;

/**
 * A valid label value (and label name part) for `value`: unchanged when already valid, else
 * characters outside `[A-Za-z0-9._-]` replaced by `_`, ends trimmed to alphanumerics, cut to fit,
 * and suffixed with a hash of the original, so two different values never share a sanitised one.
 */
export function labelValue(value: string): string {
  const cleaned = value
    .replace(/[^A-Za-z0-9._-]/g, "_")
    .replace(/^[^A-Za-z0-9]+/, "")
    .replace(/[^A-Za-z0-9]+$/, "");
  if (cleaned === value && value.length <= MAX_LABEL) return value;
  const hash = createHash("sha256").update(value).digest("hex").slice(0, 8);
  const head = cleaned.slice(0, MAX_LABEL - hash.length - 1).replace(/[^A-Za-z0-9]+$/, "");
  return head ? `${head}-${hash}` : hash;
}

/** Everything one attempt's objects are labelled with. */
export function runLabels(spec: ExecutionSpec, runnerId: string, runKey: string): Record<string, string> {
  const labels: Record<string, string> = {
    [RUN_LABELS.managedBy]: "tstr",
    [RUN_LABELS.runnerId]: labelValue(runnerId),
    [RUN_LABELS.runId]: labelValue(spec.runId),
    [RUN_LABELS.attempt]: String(spec.attempt),
    [RUN_LABELS.runKey]: runKey,
  };
  for (const [key, value] of Object.entries(spec.labels)) {
    const wellKnown = WELL_KNOWN[key];
    if (wellKnown === "") continue;
    labels[wellKnown ?? `${RUN_LABELS.runLabelPrefix}${labelValue(key.replace("/", "."))}`] = labelValue(value);
  }
  return labels;
}

/** The originals behind the sanitised labels. */
export function runAnnotations(spec: ExecutionSpec, runnerId: string): Record<string, string> {
  return {
    [RUN_ANNOTATIONS.runId]: spec.runId,
    [RUN_ANNOTATIONS.runnerId]: runnerId,
    [RUN_ANNOTATIONS.labels]: JSON.stringify(spec.labels),
  };
}

/** Selects everything tstr created for one runner id. */
export function runnerSelector(runnerId: string): string {
  return `${RUN_LABELS.managedBy}=tstr,${RUN_LABELS.runnerId}=${labelValue(runnerId)}`;
}

/** Selects one attempt's objects. */
export function runKeySelector(runKey: string): string {
  return `${RUN_LABELS.runKey}=${runKey}`;
}

/**
 * The Job name of one attempt, also its run key: `tstr-<run id>-a<attempt>-<suffix>`, lower-case,
 * at most 52 characters so pod names derived from it (plus `-xxxxx`) stay valid DNS labels.
 */
export function runKeyFor(spec: ExecutionSpec, suffix: string): string {
  const slug =
    spec.runId
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+/, "")
      .slice(0, 32)
      .replace(/-+$/, "") || "run";
  return `tstr-${slug}-a${spec.attempt}-${suffix}`.slice(0, 52);
}
