import { K6ConfigError } from "./k6-config-error.js";

/** How one `executor_options` entry becomes k6 flags; throws a message for a value k6 would refuse. */
type OptionFlags = (value: string) => string[];

const POSITIVE_INTEGER = /^[1-9][0-9]*$/;
const TAG = /^[^=,\s]+=[^,]*$/;

const integerFlag =
  (flag: string): OptionFlags =>
  (value) => {
    if (!POSITIVE_INTEGER.test(value)) throw new Error(`must be a positive whole number, got ${JSON.stringify(value)}`);
    return [flag, value];
  };

const listFlag =
  (flag: string, entry: RegExp, shape: string): OptionFlags =>
  (value) => {
    const entries = value
      .split(",")
      .map((item) => item.trim())
      .filter((item) => item !== "");
    if (entries.length === 0) throw new Error(`must list at least one ${shape}`);
    const bad = entries.find((item) => !entry.test(item));
    if (bad !== undefined) throw new Error(`entry ${JSON.stringify(bad)} is not ${shape}`);
    return entries.flatMap((item) => [flag, item]);
  };

const textFlag =
  (flag: string): OptionFlags =>
  (value) => {
    if (value.trim() === "") throw new Error("must not be empty");
    return [flag, value.trim()];
  };

/**
 * The `executor_options` a k6 test may set, in the order their flags are written. `script` picks
 * the script to run (see k6CommandLine). Thresholds have no flag: k6 reads them from the script's
 * `options.thresholds`.
 */
const OPTION_FLAGS: Readonly<Record<string, OptionFlags | null>> = {
  script: null,
  vus: integerFlag("--vus"),
  duration: textFlag("--duration"),
  iterations: integerFlag("--iterations"),
  // "30s:10,1m:20" → --stage 30s:10 --stage 1m:20
  stages: listFlag("--stage", /^[^:,\s]+:[0-9]+$/, "a stage like 30s:10 (duration:target VUs)"),
  rps: integerFlag("--rps"),
  // "env=staging,team=qa" → --tag env=staging --tag team=qa
  tags: listFlag("--tag", TAG, "a tag like name=value"),
  summary_trend_stats: textFlag("--summary-trend-stats"),
};

/** Every option key a k6 test may set in `executor_options`. */
export const K6_OPTION_KEYS: readonly string[] = Object.keys(OPTION_FLAGS);

/**
 * Turns a k6 test's `executor_options` into k6 flags (`vus` → `--vus`, `stages` → one `--stage`
 * per entry, …), in a fixed order so the command line does not depend on map order. An unknown
 * key or a malformed value throws K6ConfigError naming the option and what was expected: a typo
 * must not silently run a different load.
 */
export function k6OptionFlags(options: Readonly<Record<string, string>>): string[] {
  for (const key of Object.keys(options)) {
    if (!(key in OPTION_FLAGS)) {
      throw new K6ConfigError(
        `run_config.executor_options["${key}"]: unknown k6 option; known options are ${K6_OPTION_KEYS.join(", ")}`,
      );
    }
  }
  const flags: string[] = [];
  for (const [key, toFlags] of Object.entries(OPTION_FLAGS)) {
    const value = options[key];
    if (value === undefined || toFlags === null) continue;
    try {
      flags.push(...toFlags(value));
    } catch (error) {
      throw new K6ConfigError(`run_config.executor_options["${key}"]: ${(error as Error).message}`);
    }
  }
  return flags;
}
