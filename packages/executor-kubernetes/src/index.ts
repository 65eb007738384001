// Public API of @tstr/executor-kubernetes: runs as Kubernetes Jobs.

export { DEFAULT_WORKING_DIR, type JobContext, toFilesConfigMap, toJob, WORKLOAD_CONTAINER } from "./job-spec.js";
export { API_CALL_RULES, type ApiCallRule, createKubeApi, type KubeApi } from "./kube-api.js";
export { contextNamespace, type KubeConfigSource, loadKubeConfig } from "./kube-config.js";
export { createKubernetesExecutor, type KubernetesExecutorOptions } from "./kubernetes-executor.js";
export {
  type KubernetesExecutionSpec,
  type KubernetesPodOptions,
  parseKubernetesOptions,
} from "./kubernetes-options.js";
export { strategicMerge } from "./pod-patch.js";
export { type PolicyRule, policyRulesFor, REQUIRED_RBAC_RULES } from "./rbac.js";
export { labelValue, RUN_ANNOTATIONS, RUN_LABELS } from "./run-labels.js";
