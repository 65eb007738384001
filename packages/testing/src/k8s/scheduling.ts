/** The one node the emulator has. */
export interface EmulatedNode {
  name: string;
  labels: Record<string, string>;
  taints: { key: string; value?: string; effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute" }[];
}

interface Toleration {
  key?: string;
  operator?: "Exists" | "Equal";
  value?: string;
  effect?: string;
}

/**
 * Why the scheduler cannot place a pod on the node (nodeSelector, untolerated NoSchedule /
 * NoExecute taints), worded like the scheduler's Unschedulable condition; undefined when it fits.
 */
export function schedulingProblem(
  spec: { nodeSelector?: Record<string, string>; tolerations?: Toleration[] },
  node: EmulatedNode,
): string | undefined {
  const selectorMisses = Object.entries(spec.nodeSelector ?? {}).some(([key, value]) => node.labels[key] !== value);
  if (selectorMisses) {
    return "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.";
  }
  const untolerated = node.taints.find(
    (taint) => taint.effect !== "PreferNoSchedule" && !(spec.tolerations ?? []).some((t) => tolerates(t, taint)),
  );
  if (untolerated) {
    const taint = `{${untolerated.key}: ${untolerated.value ?? ""}}`;
    return `0/1 nodes are available: 1 node(s) had untolerated taint ${taint}. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.`;
  }
  return undefined;
}

function tolerates(toleration: Toleration, taint: EmulatedNode["taints"][number]): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.operator === "Exists") return !toleration.key || toleration.key === taint.key;
  return toleration.key === taint.key && (toleration.value ?? "") === (taint.value ?? "");
}
