import { Code, ConnectError } from "@connectrpc/connect";
import { convertDuration } from "@tstr/definitions";
import { RegisterExecutionResponseSchema } from "@tstr/proto";
import type { CommandSpec } from "../cli/command-spec.js";
import { parseLabelFlags } from "../cli/label-flags.js";
import { CliError, usageError } from "../cli-error.js";
import { renderMessage } from "../output/output-format.js";

const NANOS_PER_SECOND = 1_000_000_000n;

/**
 * `tstrctl exec register --test NAME …`: records a test run outside tstr (a CI job, a laptop) as
 * a running execution and prints its number and run id. With --location and --factor it is
 * admitted only if the location has room, exactly like factored tstr runs.
 */
export const execRegisterCommand: CommandSpec = {
  path: ["exec", "register"],
  summary: "Register a test running outside tstr; prints its number and run id",
  synopsis:
    "exec register --test NAME [--repo R] [--stream S] [--type T] [--env E] [--triggered-by U] " +
    "[--dashboard-url URL] [--location L --factor F] [--timeout DURATION] [-l KEY=VALUE…] [-o json|yaml]",
  description: [
    "Records an execution that runs outside tstr as RUNNING, with the next run number of the namespace.",
    "With --factor (0 < F <= 1) it takes that share of --location's capacity, shared with tstr's factored",
    "runs there; when the location is full the registration is refused and the message names what runs",
    "there. Complete it with `exec complete`; one not completed within --timeout (default 1h) ends ERROR.",
  ].join("\n"),
  options: {
    test: { type: "string" },
    repo: { type: "string" },
    stream: { type: "string" },
    type: { type: "string" },
    env: { type: "string" },
    "triggered-by": { type: "string" },
    "dashboard-url": { type: "string" },
    location: { type: "string" },
    factor: { type: "string" },
    timeout: { type: "string" },
    label: { type: "string", short: "l", multiple: true },
  },
  flagHelp: [
    ["    --test NAME", "the test that runs (required)"],
    ["    --repo REPO", "the repository under test"],
    ["    --stream STREAM", 'the branch or release line, e.g. "release/2.4"'],
    ["    --type TYPE", 'the kind of test, e.g. "perf"'],
    ["    --env ENVIRONMENT", "the environment it runs against"],
    ["    --triggered-by WHO", "the person or job that started it"],
    ["    --dashboard-url URL", "where to watch it (http or https)"],
    ["    --location LOCATION", "where it runs; needed with --factor"],
    ["    --factor F", "share of the location's capacity it takes (0 < F <= 1)"],
    ["    --timeout DURATION", 'ends ERROR if not completed within this, e.g. "30m" (default 1h)'],
    ["-l, --label KEY=VALUE", "a label of the run; repeatable"],
  ],
  output: true,
  args: { min: 0, max: 0 },
  async run({ flags, usage, clients, output, io }) {
    const test = flags.string("test");
    if (!test) throw usageError("--test is required", usage);
    const factor = parseFactor(flags.string("factor"), usage);
    const location = flags.string("location") ?? "";
    if (factor > 0 && !location) throw usageError("--factor needs --location (whose capacity it takes)", usage);
    const labels = parseLabelFlags(flags.strings("label"), usage);
    const request = {
      labels,
      metadata: {
        test,
        repo: flags.string("repo") ?? "",
        stream: flags.string("stream") ?? "",
        type: flags.string("type") ?? "",
        environment: flags.string("env") ?? "",
        triggeredBy: flags.string("triggered-by") ?? "",
        dashboardUrl: flags.string("dashboard-url") ?? "",
        location,
        factor,
        timeout: parseTimeout(flags.string("timeout"), usage),
      },
    };
    const { control } = await clients();
    const response = await control.registerExecution(request).catch((error: unknown) => {
      const refused = error instanceof ConnectError && error.code === Code.ResourceExhausted;
      if (!refused) throw error;
      throw new CliError(error.rawMessage, {
        hint: "register again once one of them has completed, or without --factor if it needs no capacity",
      });
    });
    if (output !== "table") {
      io.stdout(renderMessage(RegisterExecutionResponseSchema, response, output));
    } else {
      io.stdout(`registered #${response.run?.runNumber ?? "?"} (run ${response.run?.id ?? "?"})\n`);
    }
    return 0;
  },
};

function parseFactor(text: string | undefined, usage: string): number {
  if (text === undefined) return 0;
  const factor = Number(text);
  if (text.trim() === "" || !Number.isFinite(factor) || factor <= 0 || factor > 1) {
    throw usageError(`--factor ${JSON.stringify(text)}: expected a number greater than 0 and at most 1`, usage);
  }
  return factor;
}

function parseTimeout(text: string | undefined, usage: string) {
  if (text === undefined) return undefined;
  const converted = convertDuration(text);
  if (!converted.ok) throw usageError(`--timeout: ${converted.message}`, usage);
  if (converted.nanos === 0n) throw usageError("--timeout: must be longer than zero", usage);
  return {
    seconds: converted.nanos / NANOS_PER_SECOND,
    nanos: Number(converted.nanos % NANOS_PER_SECOND),
  };
}
