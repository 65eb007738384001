import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { ApplyWebhookResponseSchema, Run_Result } from "@tstr/proto";
import type { CommandSpec } from "../cli/command-spec.js";
import type { ParsedFlags } from "../cli/parsed-flags.js";
import { CliError, usageError } from "../cli-error.js";
import { renderMessage } from "../output/output-format.js";
import { WEBHOOK_EVENT_NAMES } from "../output/webhook-view.js";

const RESULTS: Record<string, Run_Result> = {
  pass: Run_Result.PASS,
  fail: Run_Result.FAIL,
  error: Run_Result.ERROR,
  cancelled: Run_Result.CANCELLED,
  timed_out: Run_Result.TIMED_OUT,
};

/**
 * `tstrctl webhook apply NAME`: creates the namespace's webhook of that name or replaces its
 * settings. The signing secret comes from an environment variable or a file, never from the
 * command line (where `ps` and shell history would show it); on an update it may be left out to
 * keep the stored one.
 */
export const webhookApplyCommand: CommandSpec = {
  path: ["webhook", "apply"],
  summary: "Create or update a webhook (events POSTed to a URL, HMAC-signed)",
  synopsis:
    "webhook apply NAME --url URL --event EVENT… [--selector SEL] [--result R…] (--secret-env VAR | --secret-file PATH) [--disabled]",
  description: [
    `Events: ${Object.keys(WEBHOOK_EVENT_NAMES).join(", ")}.`,
    "The secret signs every request (x-tstr-signature); it is required when the webhook is created.",
  ].join("\n"),
  options: {
    url: { type: "string" },
    event: { type: "string", multiple: true },
    selector: { type: "string" },
    result: { type: "string", multiple: true },
    "secret-env": { type: "string" },
    "secret-file": { type: "string" },
    disabled: { type: "boolean" },
  },
  flagHelp: [
    ["    --url URL", "where events are POSTed (http or https; required)"],
    ["    --event EVENT", "an event to send; repeat or separate with commas (required)"],
    ["    --selector SEL", 'only runs whose labels match, e.g. "tier=example,team in (web)"'],
    [
      "    --result RESULT",
      `run.finished and test.* events only for these results: ${Object.keys(RESULTS).join(", ")}`,
    ],
    ["    --secret-env VAR", "read the signing secret from this environment variable"],
    ["    --secret-file PATH", "read the signing secret from this file (a trailing newline is dropped)"],
    ["    --disabled", "store the webhook but send nothing until it is applied again without this flag"],
  ],
  output: true,
  args: { min: 1, max: 1 },
  async run({ args, flags, usage, clients, target, output, io }) {
    const name = args[0] ?? "";
    const url = flags.string("url");
    if (!url) throw usageError("--url is required", usage);
    const events = words(flags, "event").map((word) => {
      const event = WEBHOOK_EVENT_NAMES[word];
      if (event === undefined) {
        throw usageError(`--event ${JSON.stringify(word)}: use ${Object.keys(WEBHOOK_EVENT_NAMES).join(", ")}`, usage);
      }
      return event;
    });
    if (events.length === 0) throw usageError("at least one --event is required", usage);
    const results = words(flags, "result").map((word) => {
      const result = RESULTS[word.toLowerCase()];
      if (result === undefined)
        throw usageError(`--result ${JSON.stringify(word)}: use ${Object.keys(RESULTS).join(", ")}`, usage);
      return result;
    });
    const secret = await readSecret(flags, usage, io.env, io.cwd);
    const { namespace } = await target();
    const response = await (await clients()).control.applyWebhook({
      webhook: {
        namespace,
        name,
        url,
        events,
        testSelector: flags.string("selector") ?? "",
        results,
        secret,
        enabled: !flags.boolean("disabled"),
      },
    });
    if (output !== "table") io.stdout(renderMessage(ApplyWebhookResponseSchema, response, output));
    else io.stdout(`webhook ${namespace}/${name} applied${flags.boolean("disabled") ? " (disabled)" : ""}\n`);
    return 0;
  },
};

function words(flags: ParsedFlags, name: string): string[] {
  return flags
    .strings(name)
    .flatMap((value) => value.split(","))
    .map((word) => word.trim())
    .filter(Boolean);
}

async function readSecret(
  flags: ParsedFlags,
  usage: string,
  env: Record<string, string | undefined>,
  cwd: string,
): Promise<string> {
  const variable = flags.string("secret-env");
  const file = flags.string("secret-file");
  if (variable !== undefined && file !== undefined)
    throw usageError("use --secret-env or --secret-file, not both", usage);
  if (variable !== undefined) {
    const value = env[variable];
    if (!value) throw new CliError(`--secret-env ${variable}: the environment variable is not set or empty`);
    return value;
  }
  if (file !== undefined) {
    const text = await readFile(resolve(cwd, file), "utf8").catch((error: NodeJS.ErrnoException) => {
      throw new CliError(`--secret-file ${file}: ${error.code === "ENOENT" ? "no such file" : error.message}`);
    });
    const value = text.replace(/\r?\n$/, "");
    if (!value) throw new CliError(`--secret-file ${file}: the file is empty`);
    return value;
  }
  return "";
}
