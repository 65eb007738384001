import { create, fromJson, type JsonObject, toJson } from "@bufbuild/protobuf";
import { durationFromMs, durationMs } from "@bufbuild/protobuf/wkt";
import { type RunConfig, ValidationError } from "@tstr/domain";
import { KubernetesOptionsSchema, type Test_RunConfig, Test_RunConfigSchema } from "@tstr/proto";

/** The domain form of a run config from the wire (validation happens in the domain). */
export function runConfigFromProto(config: Test_RunConfig | undefined): RunConfig {
  return {
    image: config?.containerImage ?? "",
    command: config?.command ?? "",
    args: [...(config?.args ?? [])],
    env: { ...(config?.env ?? {}) },
    ...(config?.timeout ? { timeoutMs: durationMs(config.timeout) } : {}),
    ...(config?.gracePeriod ? { gracePeriodMs: durationMs(config.gracePeriod) } : {}),
    ...(config?.workingDir ? { workingDir: config.workingDir } : {}),
    files: (config?.files ?? []).map((f, i) => ({ path: f.path, content: utf8Text(f.content, i) })),
    ...(config?.resultsPath ? { resultsPath: config.resultsPath } : {}),
    ...(config && Object.keys(config.executorOptions).length ? { executorOptions: { ...config.executorOptions } } : {}),
    ...(config?.kubernetes
      ? { kubernetes: toJson(KubernetesOptionsSchema, config.kubernetes) as Record<string, unknown> }
      : {}),
  };
}

/** The wire form of a run config. */
export function runConfigToProto(config: RunConfig): Test_RunConfig {
  return create(Test_RunConfigSchema, {
    containerImage: config.image,
    command: config.command,
    args: config.args,
    env: config.env,
    ...(config.timeoutMs ? { timeout: durationFromMs(config.timeoutMs) } : {}),
    ...(config.gracePeriodMs ? { gracePeriod: durationFromMs(config.gracePeriodMs) } : {}),
    workingDir: config.workingDir ?? "",
    files: config.files.map((f) => ({ path: f.path, content: Buffer.from(f.content, "utf8") })),
    resultsPath: config.resultsPath ?? "",
    executorOptions: config.executorOptions ?? {},
    ...(config.kubernetes ? { kubernetes: fromJson(KubernetesOptionsSchema, config.kubernetes as JsonObject) } : {}),
  });
}

const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true });

/** File contents are stored as text: binary files are refused rather than silently mangled. */
function utf8Text(bytes: Uint8Array, index: number): string {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    throw new ValidationError([
      { path: `run_config.files[${index}].content`, message: "must be UTF-8 text (binary files are not supported)" },
    ]);
  }
}
