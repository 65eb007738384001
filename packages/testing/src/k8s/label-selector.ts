import { badRequest } from "./api-error.js";

type Requirement = (labels: Record<string, string>) => boolean;

/**
 * Parses a Kubernetes label selector (`a=b`, `a==b`, `a!=b`, `a`, `!a`, `a in (x,y)`,
 * `a notin (x)`, comma-separated) into a predicate. An empty selector matches everything; a
 * malformed one is a 400 like the API server's.
 */
export function parseLabelSelector(selector: string | null | undefined): Requirement {
  const requirements = splitRequirements(selector ?? "").map(parseRequirement);
  return (labels) => requirements.every((requirement) => requirement(labels));
}

function splitRequirements(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const char of selector) {
    if (char === "(") depth++;
    if (char === ")") depth--;
    if (char === "," && depth === 0) {
      parts.push(current);
      current = "";
    } else current += char;
  }
  parts.push(current);
  return parts.map((part) => part.trim()).filter((part) => part !== "");
}

function parseRequirement(text: string): Requirement {
  const set = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(text);
  if (set) {
    const [, key, operator, list] = set as unknown as [string, string, string, string];
    const values = new Set(list.split(",").map((value) => value.trim()));
    return operator === "in"
      ? (labels) => key in labels && values.has(labels[key]!)
      : (labels) => !(key in labels) || !values.has(labels[key]!);
  }
  const compare = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(text);
  if (compare) {
    const [, key, operator, value] = compare as unknown as [string, string, string, string];
    return operator === "!=" ? (labels) => labels[key] !== value : (labels) => labels[key] === value;
  }
  const exists = /^(!?)([^!=\s()]+)$/.exec(text);
  if (exists) {
    const [, not, key] = exists as unknown as [string, string, string];
    return not ? (labels) => !(key in labels) : (labels) => key in labels;
  }
  throw badRequest(`unable to parse requirement: ${JSON.stringify(text)}`);
}
