import { K6ConfigError } from "./k6-config-error.js";

/** This run's shard (0-based) of a distributed run over `count` shards. */
export interface ShardPosition {
  index: number;
  count: number;
}

/**
 * How one `executor_options` entry becomes k6 flags for a run (`shard` set for a shard of a
 * distributed run); throws a message for a value k6 would refuse.
 */
type OptionFlags = (value: string, shard?: ShardPosition) => string[];

const POSITIVE_INTEGER = /^[1-9][0-9]*$/;
const TAG = /^[^=,\s]+=[^,]*$/;

const integerFlag =
  (flag: string): OptionFlags =>
  (value) => {
    if (!POSITIVE_INTEGER.test(value)) throw new Error(`must be a positive whole number, got ${JSON.stringify(value)}`);
    return [flag, value];
  };

/**
 * `--rps` for one run: k6 applies it per process and does not split it across execution segments,
 * so each shard of a distributed run gets its share of the total (see shardShareOfRps).
 */
const rpsFlag: OptionFlags = (value, shard) => {
  const [flag, total] = integerFlag("--rps")(value);
  if (!shard || shard.count <= 1) return [flag as string, total as string];
  return [flag as string, String(shardShareOfRps(Number(total), shard.index, shard.count))];
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
  rps: rpsFlag,
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
 * must not silently run a different load. For a shard (`shard.count` > 1) the flags are that shard's
 * part of the load: `rps` is split across the shards.
 */
export function k6OptionFlags(options: Readonly<Record<string, string>>, shard?: ShardPosition): string[] {
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
      flags.push(...toFlags(value, shard));
    } catch (error) {
      throw new K6ConfigError(`run_config.executor_options["${key}"]: ${(error as Error).message}`);
    }
  }
  return flags;
}

/**
 * The `--rps` of shard `index` of `count` when the whole run may make `total` requests per second:
 * whole numbers that add up to `total`, the first `total % count` shards taking one more (10 over
 * 3 → 4, 3, 3). Throws when `total` is below `count`: a shard would get 0, which k6 reads as "no
 * limit", so the run would not be limited at all.
 */
export function shardShareOfRps(total: number, index: number, count: number): number {
  if (total < count) {
    throw new Error(
      `${total} requests per second cannot be split over ${count} shards (k6 applies --rps to each shard, so every shard needs at least 1); set rps to at least ${count} or remove it`,
    );
  }
  return Math.floor(total / count) + (index < total % count ? 1 : 0);
}
