import { describe, expect, it } from "vitest";
import { ConfigError, parseDevConfig, parseServeConfig } from "./config.js";

const DB = "postgres://u:p@127.0.0.1:5432/tstr";

describe("tstr serve configuration", () => {
  it("takes flags over environment variables, and defaults last", () => {
    const config = parseServeConfig(["--listen", "[::1]:9000"], { TSTR_LISTEN: "0.0.0.0:1", DATABASE_URL: DB });
    expect(config.listen).toEqual({ host: "::1", port: 9000 });
    expect(config.databaseUrl).toBe(DB);
    expect(config.logLevel).toBe("info");
    expect(config.readMaxBytes).toBe(4 * 1024 * 1024);
  });

  it("falls back to the environment", () => {
    const config = parseServeConfig([], { TSTR_LISTEN: "0.0.0.0:7000", DATABASE_URL: DB, TSTR_LOG_LEVEL: "debug" });
    expect(config.listen).toEqual({ host: "0.0.0.0", port: 7000 });
    expect(config.logLevel).toBe("debug");
  });

  it.each([
    [[], {}, "--database-url: a database is required"],
    [["--database-url", "mysql://x"], {}, "--database-url: must be a postgres://"],
    [["--listen", "7420"], { DATABASE_URL: DB }, "--listen: expected HOST:PORT"],
    [["--listen", "127.0.0.1:99999"], { DATABASE_URL: DB }, "--listen: port must be at most 65535"],
    [["--log-level", "loud"], { DATABASE_URL: DB }, "--log-level"],
    [["--frobnicate"], { DATABASE_URL: DB }, "--frobnicate"],
  ])("refuses %j with a message naming the flag", (argv, env, message) => {
    expect(() => parseServeConfig(argv as string[], env)).toThrow(ConfigError);
    expect(() => parseServeConfig(argv as string[], env)).toThrow(message);
  });
});

describe("tstr dev configuration", () => {
  it("has defaults that need nothing set up", () => {
    expect(parseDevConfig([], {})).toEqual({
      listen: { host: "127.0.0.1", port: 7420 },
      dataDir: ".tstr/dev",
      pgPort: 54329,
      logLevel: "warn",
      runnerExecutor: "auto",
    });
  });
});
