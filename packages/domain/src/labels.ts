import { type FieldViolation, mapEntryPath } from "./validation-error.js";

/** Labels of a test, run or runner: Kubernetes-style `key=value` pairs. */
export type Labels = Record<string, string>;

/** Longest name part of a key, and longest value, as in Kubernetes. */
export const MAX_LABEL_NAME_LENGTH = 63;
/** Longest DNS-subdomain prefix of a key, as in Kubernetes. */
export const MAX_LABEL_PREFIX_LENGTH = 253;

const NAME_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;
const DNS_LABEL_PATTERN = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const NAME_RULE =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

/**
 * Checks a label key with Kubernetes' rules (an optional DNS-subdomain prefix and `/`, then a
 * name of up to 63 characters), so labels written for Kubernetes work unchanged here.
 * Returns a human-readable reason, or undefined when the key is valid.
 */
export function validateLabelKey(key: string): string | undefined {
  if (key.length === 0) return "key must not be empty";
  const slash = key.indexOf("/");
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (slash >= 0) {
    const problem = validateDnsSubdomain(key.slice(0, slash));
    if (problem !== undefined) return `key prefix ${problem}`;
  }
  if (name.length === 0) return "key name part must not be empty";
  if (name.length > MAX_LABEL_NAME_LENGTH) {
    return `key name part must be at most ${MAX_LABEL_NAME_LENGTH} characters`;
  }
  if (!NAME_PATTERN.test(name)) return `key name part ${NAME_RULE}`;
  return undefined;
}

/**
 * Checks a label value with Kubernetes' rules: empty, or up to 63 characters that start and end
 * alphanumeric. Returns a reason, or undefined when the value is valid.
 */
export function validateLabelValue(value: string): string | undefined {
  if (value.length === 0) return undefined;
  if (value.length > MAX_LABEL_NAME_LENGTH) {
    return `value must be at most ${MAX_LABEL_NAME_LENGTH} characters`;
  }
  if (!NAME_PATTERN.test(value)) return `value ${NAME_RULE}`;
  return undefined;
}

/**
 * Validates every key and value of a label map, reporting each problem at its own path
 * (`labels["bad key"]`) so clients can point at the offending entry.
 */
export function validateLabels(labels: Labels, path = "labels"): FieldViolation[] {
  const violations: FieldViolation[] = [];
  for (const [key, value] of Object.entries(labels)) {
    const problem = validateLabelKey(key) ?? validateLabelValue(value);
    if (problem !== undefined) violations.push({ path: mapEntryPath(path, key), message: problem });
  }
  return violations;
}

function validateDnsSubdomain(prefix: string): string | undefined {
  if (prefix.length === 0) return "must not be empty";
  if (prefix.length > MAX_LABEL_PREFIX_LENGTH) {
    return `must be at most ${MAX_LABEL_PREFIX_LENGTH} characters`;
  }
  const ok = prefix.split(".").every((part) => DNS_LABEL_PATTERN.test(part));
  return ok
    ? undefined
    : "must be a DNS subdomain: lowercase alphanumeric characters, '-' or '.', starting and ending with an alphanumeric character";
}
