import type { ExecutionSpec } from "@tstr/executor";
import { describe, expect, it } from "vitest";
import { type ContainerOptionsContext, toContainerOptions } from "./container-options.js";

const base: ExecutionSpec = {
  runId: "run-1",
  attempt: 3,
  image: "grafana/k6:1.3.0",
  command: ["k6", "run", "script.js"],
  entrypointOverride: false,
  env: { TSTR_RUN_ID: "run-1", TSTR_RESULTS_DIR: "/tstr/results" },
  files: [],
  labels: { team: "qa" },
  resultsPath: "/tstr/results",
};
const context: ContainerOptionsContext = {
  name: "tstr-run-1-a3-abcd",
  runnerId: "runner-a",
  resultsHostDir: "/var/tmp/tstr/runner-a/tstr-run-1-a3-abcd",
  defaultNetwork: "none",
};

describe("toContainerOptions", () => {
  it("translates a spec into create options", () => {
    expect(toContainerOptions(base, context)).toEqual({
      name: "tstr-run-1-a3-abcd",
      Image: "grafana/k6:1.3.0",
      Cmd: ["k6", "run", "script.js"],
      Env: ["TSTR_RUN_ID=run-1", "TSTR_RESULTS_DIR=/tstr/results"],
      WorkingDir: "/tstr/work",
      Labels: {
        "dev.tstr.run-id": "run-1",
        "dev.tstr.attempt": "3",
        "dev.tstr.runner-id": "runner-a",
        "dev.tstr.label/team": "qa",
      },
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      OpenStdin: false,
      HostConfig: {
        NetworkMode: "none",
        Binds: ["/var/tmp/tstr/runner-a/tstr-run-1-a3-abcd:/tstr/results:rw"],
        AutoRemove: false,
      },
    });
  });

  const commandCases: [string, Partial<ExecutionSpec>, { Entrypoint?: string[]; Cmd?: string[] }][] = [
    ["command as arguments of the image's entrypoint", {}, { Cmd: ["k6", "run", "script.js"] }],
    [
      "command[0] replaces the entrypoint",
      { entrypointOverride: true },
      { Entrypoint: ["k6"], Cmd: ["run", "script.js"] },
    ],
    ["empty command keeps the image's entrypoint and command", { command: [] }, {}],
    ["empty command with override still keeps the image's", { command: [], entrypointOverride: true }, {}],
  ];
  it.each(commandCases)("%s", (_, overrides, expected) => {
    const options = toContainerOptions({ ...base, ...overrides }, context);
    expect({ Entrypoint: options.Entrypoint, Cmd: options.Cmd }).toEqual({
      Entrypoint: undefined,
      Cmd: undefined,
      ...expected,
    });
  });

  const networkCases: [string | undefined, "none" | "host", string][] = [
    [undefined, "none", "none"],
    [undefined, "host", "host"],
    ["host", "none", "host"],
    ["none", "host", "none"],
    ["tstr-tests", "none", "tstr-tests"],
  ];
  it.each(networkCases)("network %s with default %s → %s", (network, defaultNetwork, expected) => {
    const options = toContainerOptions({ ...base, network }, { ...context, defaultNetwork });
    expect(options.HostConfig?.NetworkMode).toBe(expected);
  });

  it.each(["bridge", "default", ""])("refuses the default bridge (%j)", (network) => {
    expect(() => toContainerOptions({ ...base, network }, context)).toThrow(
      expect.objectContaining({ reason: "CREATE_FAILED" }),
    );
  });

  const resourceCases: [ExecutionSpec["resources"], Record<string, number | undefined>][] = [
    [undefined, { NanoCpus: undefined, Memory: undefined, MemorySwap: undefined }],
    [{ cpuCores: 1.5 }, { NanoCpus: 1_500_000_000, Memory: undefined }],
    [
      { cpuCores: 0.25, memoryBytes: 268_435_456 },
      { NanoCpus: 250_000_000, Memory: 268_435_456, MemorySwap: 268_435_456 },
    ],
  ];
  it.each(resourceCases)("resources %j", (resources, expected) => {
    const hostConfig = toContainerOptions({ ...base, resources }, context).HostConfig!;
    for (const [key, value] of Object.entries(expected)) expect(hostConfig[key as keyof typeof hostConfig]).toBe(value);
  });

  it("uses the spec's working dir and refuses relative paths", () => {
    expect(toContainerOptions({ ...base, workingDir: "/app" }, context).WorkingDir).toBe("/app");
    expect(() => toContainerOptions({ ...base, workingDir: "app" }, context)).toThrow(
      /workingDir must be an absolute path/,
    );
    expect(() => toContainerOptions({ ...base, resultsPath: "results" }, context)).toThrow(
      /resultsPath must be an absolute path/,
    );
  });
});
