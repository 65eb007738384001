import { API_CALL_RULES, type ApiCallRule } from "./kube-api.js";

/** A Kubernetes RBAC PolicyRule, as written in a Role or ClusterRole. */
export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/**
 * Groups RBAC attributes into one PolicyRule per API group and resource, verbs sorted, rules
 * sorted by group then resource: the form a Role/ClusterRole manifest can be compared against.
 */
export function policyRulesFor(attributes: readonly ApiCallRule[]): PolicyRule[] {
  const verbs = new Map<string, Set<string>>();
  for (const { apiGroup, resource, verb } of attributes) {
    const key = `${apiGroup}\u0000${resource}`;
    verbs.set(key, (verbs.get(key) ?? new Set()).add(verb));
  }
  return [...verbs.entries()]
    .map(([key, set]) => {
      const [apiGroup = "", resource = ""] = key.split("\u0000");
      return { apiGroups: [apiGroup], resources: [resource], verbs: [...set].sort() };
    })
    .sort((a, b) => `${a.apiGroups[0]}/${a.resources[0]}`.localeCompare(`${b.apiGroups[0]}/${b.resources[0]}`));
}

/**
 * Exactly the permissions the Kubernetes executor uses — derived from the API wrapper every call
 * goes through, so it cannot drift from the code. Namespaces are cluster-scoped, and runs in a
 * fresh namespace need the namespaced rules in namespaces created at run time, so bind these with
 * a ClusterRole. Without isolated namespaces, the namespaced rules can be a Role in the runner's
 * namespace plus a ClusterRole for `namespaces` list (the sweeper looks for leftover run
 * namespaces).
 */
export const REQUIRED_RBAC_RULES: readonly PolicyRule[] = Object.freeze(policyRulesFor(Object.values(API_CALL_RULES)));
