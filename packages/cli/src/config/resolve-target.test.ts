import { describe, expect, it } from "vitest";
import type { CliConfig } from "./config-file.js";
import { normaliseAddr, resolveTarget } from "./resolve-target.js";

const config: CliConfig = {
  currentContext: "local",
  contexts: {
    local: { addr: "http://local:7420", token: "local-token", namespace: "local-ns" },
    prod: { addr: "https://prod.example", token: "prod-token" },
    bare: {},
  },
};

const none: CliConfig = { contexts: {} };

describe("resolveTarget", () => {
  it("falls back to the defaults", () => {
    expect(resolveTarget({}, {}, none, "cfg")).toEqual({ addr: "http://127.0.0.1:7420", namespace: "default" });
  });

  it("uses the current context of the config file", () => {
    expect(resolveTarget({}, {}, config, "cfg")).toEqual({
      addr: "http://local:7420",
      token: "local-token",
      namespace: "local-ns",
      context: "local",
    });
  });

  it("lets the environment override the config file, and TSTR_CONTEXT pick the context", () => {
    const env = { TSTR_ADDR: "http://env:1", TSTR_NAMESPACE: "env-ns", TSTR_CONTEXT: "prod" };
    expect(resolveTarget({}, env, config, "cfg")).toEqual({
      addr: "http://env:1",
      token: "prod-token",
      namespace: "env-ns",
      context: "prod",
    });
  });

  it("lets flags override everything", () => {
    const env = { TSTR_ADDR: "http://env:1", TSTR_TOKEN: "env-token", TSTR_NAMESPACE: "env-ns" };
    const flags = { addr: "flag:2", token: "flag-token", namespace: "flag-ns" };
    expect(resolveTarget(flags, env, config, "cfg")).toEqual({
      addr: "http://flag:2",
      token: "flag-token",
      namespace: "flag-ns",
      context: "local",
    });
  });

  it("ranks a context chosen with --context above the environment, below the other flags", () => {
    const env = { TSTR_ADDR: "http://env:1", TSTR_TOKEN: "env-token", TSTR_NAMESPACE: "env-ns", TSTR_CONTEXT: "local" };
    expect(resolveTarget({ context: "prod", addr: "http://flag:2" }, env, config, "cfg")).toEqual({
      addr: "http://flag:2",
      token: "prod-token",
      namespace: "env-ns",
      context: "prod",
    });
  });

  it("treats empty values as unset", () => {
    expect(resolveTarget({ token: "" }, { TSTR_TOKEN: "", TSTR_CONTEXT: "" }, config, "cfg").token).toBe("local-token");
    expect(resolveTarget({ context: "bare" }, {}, config, "cfg")).toEqual({
      addr: "http://127.0.0.1:7420",
      namespace: "default",
      context: "bare",
    });
  });

  it("refuses a context that does not exist, naming where it came from", () => {
    expect(() => resolveTarget({ context: "nope" }, {}, config, "/home/me/cfg.yaml")).toThrow(
      'context "nope" (from --context) is not defined in /home/me/cfg.yaml',
    );
    expect(() => resolveTarget({}, { TSTR_CONTEXT: "gone" }, config, "cfg")).toThrow("(from TSTR_CONTEXT)");
    expect(() => resolveTarget({}, {}, { currentContext: "x", contexts: {} }, "cfg")).toThrow("(from currentContext)");
  });
});

describe("normaliseAddr", () => {
  it.each([
    ["localhost:7420", "http://localhost:7420"],
    ["https://tstr.example/", "https://tstr.example"],
    ["http://10.0.0.1:80/api/", "http://10.0.0.1:80/api"],
  ])("%s → %s", (input, output) => {
    expect(normaliseAddr(input)).toBe(output);
  });

  it("refuses what is not an http(s) URL", () => {
    expect(() => normaliseAddr("ftp://x")).toThrow("only http:// and https://");
    expect(() => normaliseAddr("http://")).toThrow("invalid address");
  });
});
