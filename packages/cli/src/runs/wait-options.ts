import { convertDuration } from "@tstr/definitions";
import type { CommandContext } from "../cli/command-spec.js";
import { usageError } from "../cli-error.js";

const NANOS_PER_MS = 1_000_000n;

/** `--timeout DURATION` of a waiting command, in milliseconds; a usage error names what is wrong. */
export function parseWaitTimeout(text: string, usage: string): number {
  const converted = convertDuration(text);
  if (!converted.ok) throw usageError(`--timeout: ${converted.message}`, usage);
  if (converted.nanos === 0n) throw usageError("--timeout: must be longer than zero", usage);
  return Number(converted.nanos / NANOS_PER_MS);
}

/** Repeats -n in a suggested command when it was given, so the suggestion works as typed. */
export function namespaceFlag(context: CommandContext): string {
  const namespace = context.flags.string("namespace");
  return namespace ? ` -n ${namespace}` : "";
}
