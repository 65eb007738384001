import { usageError } from "../cli-error.js";

/** Parses repeated `-l KEY=VALUE` flags into labels; a pair without a key or "=" is a usage error. */
export function parseLabelFlags(pairs: readonly string[], usage: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at <= 0) throw usageError(`-l ${JSON.stringify(pair)}: expected KEY=VALUE`, usage);
    labels[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return labels;
}
