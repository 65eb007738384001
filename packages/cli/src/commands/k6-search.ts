import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { parseGoDuration } from "@tstr/definitions";
import { SearchK6RunsResponseSchema } from "@tstr/proto";
import type { CommandSpec } from "../cli/command-spec.js";
import { CliError, usageError } from "../cli-error.js";
import { K6_DIGEST_COLUMNS, k6DigestRow } from "../output/k6-view.js";
import { renderMessage } from "../output/output-format.js";
import { renderTable } from "../output/table.js";
import { testReference } from "./test-reference.js";

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1_000;
const DAY_MS = 24 * 3600 * 1000;

/** `tstrctl k6 search`: k6 runs, newest first, by findings, error rate, p95, test, labels and age. */
export const k6SearchCommand: CommandSpec = {
  path: ["k6", "search"],
  summary: "Find k6 runs by findings, error rate, p95 latency, test, labels and age",
  synopsis:
    "k6 search [--anomalies] [--min-error-rate R] [--max-p95 MS] [--test NAME|ID] [--selector EXPR] " +
    "[--since DURATION] [--limit N] [-o table|json|yaml]",
  description: "A distributed run is listed once, by its first shard, with its merged report.",
  options: {
    anomalies: { type: "boolean" },
    "min-error-rate": { type: "string" },
    "max-p95": { type: "string" },
    test: { type: "string" },
    selector: { type: "string" },
    since: { type: "string" },
    limit: { type: "string" },
  },
  flagHelp: [
    ["    --anomalies", "only runs with findings (anomalies or regressions)"],
    ["    --min-error-rate R", "only runs whose HTTP error rate is at least R (0.05 or 5%)"],
    ["    --max-p95 MS", "only runs whose p95 latency is at most MS milliseconds (or a duration: 1.5s)"],
    ["    --test NAME|ID", "only runs of this test"],
    ["    --selector EXPR", "only runs whose labels match, e.g. env=staging,region in (eu,us)"],
    ["    --since DURATION", "only runs that ended within DURATION (90m, 24h, 7d)"],
    ["    --limit N", `at most N runs (default ${DEFAULT_LIMIT})`],
  ],
  output: true,
  args: { min: 0, max: 0 },
  async run({ flags, usage, clients, target, output, io }) {
    const minErrorRate = parseRate(flags.string("min-error-rate"), usage);
    const maxP95Ms = parseMs(flags.string("max-p95"), usage);
    const since = parseSince(flags.string("since"), usage);
    const limit = parseLimit(flags.string("limit"), usage);
    const { data } = await clients();
    const testId = await resolveTestId(flags.string("test"), (name) => data.getTest({ name }));
    const response = await data.searchK6Runs({
      testId,
      selector: flags.string("selector") ?? "",
      anomaliesOnly: flags.boolean("anomalies"),
      minErrorRate,
      maxP95Ms,
      after: since === undefined ? undefined : timestampFromDate(new Date(Date.now() - since)),
      limit,
    });
    if (output !== "table") io.stdout(renderMessage(SearchK6RunsResponseSchema, response, output));
    else if (response.runs.length === 0) io.stderr(`no k6 runs found in namespace "${(await target()).namespace}"\n`);
    else io.stdout(renderTable(K6_DIGEST_COLUMNS, response.runs.map(k6DigestRow)));
    return 0;
  },
};

/** "0.05" or "5%" → 0.05; 0 when unset. */
function parseRate(text: string | undefined, usage: string): number {
  if (text === undefined) return 0;
  const match = /^(\d+(?:\.\d+)?)(%?)$/.exec(text.trim());
  const rate = match ? Number(match[1]) / (match[2] ? 100 : 1) : Number.NaN;
  if (!(rate >= 0 && rate <= 1)) {
    throw usageError(
      `--min-error-rate ${JSON.stringify(text)}: expected a ratio from 0 to 1 (0.05) or a percentage (5%)`,
      usage,
    );
  }
  return rate;
}

/** "500" (ms) or a duration ("1.5s", "800ms") → milliseconds; 0 (no bound) when unset. */
function parseMs(text: string | undefined, usage: string): number {
  if (text === undefined) return 0;
  const trimmed = text.trim();
  const ms = /^\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : Number(parseGoDuration(trimmed) ?? -1n) / 1e6;
  if (!(ms > 0)) {
    throw usageError(`--max-p95 ${JSON.stringify(text)}: expected milliseconds (500) or a duration (1.5s)`, usage);
  }
  return ms;
}

/** "7d" or a Go duration ("90m", "24h") → milliseconds. */
function parseSince(text: string | undefined, usage: string): number | undefined {
  if (text === undefined) return undefined;
  const days = /^(\d+)d$/.exec(text.trim());
  const ms = days ? Number(days[1]) * DAY_MS : Number(parseGoDuration(text) ?? -1n) / 1e6;
  if (!(ms > 0)) throw usageError(`--since ${JSON.stringify(text)}: expected a duration such as 90m, 24h or 7d`, usage);
  return ms;
}

function parseLimit(text: string | undefined, usage: string): number {
  if (text === undefined) return DEFAULT_LIMIT;
  if (!/^[1-9]\d{0,3}$/.test(text) || Number(text) > MAX_LIMIT) {
    throw usageError(`--limit ${JSON.stringify(text)}: expected 1 to ${MAX_LIMIT}`, usage);
  }
  return Number(text);
}

/** SearchK6Runs filters by test id; a name is looked up first. */
async function resolveTestId(
  argument: string | undefined,
  getTest: (name: string) => Promise<{ test?: { id: string } }>,
): Promise<string> {
  if (argument === undefined) return "";
  const reference = testReference(argument);
  if (reference.id) return reference.id;
  const { test } = await getTest(reference.name);
  if (!test?.id) throw new CliError(`test ${JSON.stringify(argument)} not found`);
  return test.id;
}
