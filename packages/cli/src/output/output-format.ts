import { type DescMessage, type MessageShape, toJson } from "@bufbuild/protobuf";
import { stringify } from "yaml";
import { usageError } from "../cli-error.js";

/** How a command prints its result: aligned columns, proto JSON, or the same as YAML. */
export type OutputFormat = "table" | "json" | "yaml";

/** Parses `-o`; anything but table, json or yaml is a usage error. */
export function parseOutputFormat(value: string | undefined, usage: string): OutputFormat {
  if (value === undefined || value === "table" || value === "json" || value === "yaml") return value ?? "table";
  throw usageError(`unknown output format ${JSON.stringify(value)} (use table, json or yaml)`, usage);
}

/** Renders a message as pretty-printed proto JSON or YAML (lowerCamel names, enums by name). */
export function renderMessage<Desc extends DescMessage>(
  schema: Desc,
  message: MessageShape<Desc>,
  format: "json" | "yaml",
): string {
  return renderJson(toJson(schema, message), format);
}

/** Renders a plain JSON value as pretty-printed JSON or YAML, ending with a newline. */
export function renderJson(value: unknown, format: "json" | "yaml"): string {
  return format === "json" ? `${JSON.stringify(value, null, 2)}\n` : stringify(value, { lineWidth: 0 });
}
