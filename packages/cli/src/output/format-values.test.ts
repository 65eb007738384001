import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { formatCommand, formatDuration, formatLabels, formatTimestamp } from "./format-values.js";

describe("value formatting", () => {
  it("formats labels sorted by key", () => {
    expect(formatLabels({ tier: "smoke", app: "web" })).toBe("app=web,tier=smoke");
    expect(formatLabels({})).toBe("");
  });

  it("formats timestamps as RFC 3339 UTC seconds", () => {
    expect(formatTimestamp(timestampFromDate(new Date("2025-03-04T05:06:07.890Z")))).toBe("2025-03-04T05:06:07Z");
    expect(formatTimestamp(undefined)).toBe("");
  });

  it("quotes command arguments only where a shell needs it", () => {
    expect(formatCommand("sh", ["-c", "echo 'hi' && exit 0"])).toBe(`sh -c 'echo '\\''hi'\\'' && exit 0'`);
    expect(formatCommand("ping", ["-c", "5", "google.ca"])).toBe("ping -c 5 google.ca");
    expect(formatCommand("", ["--flag"])).toBe("--flag");
  });

  it("formats durations Go style", () => {
    expect(formatDuration({ seconds: 90n, nanos: 0 })).toBe("1m30s");
    expect(formatDuration({ seconds: 7200n, nanos: 0 })).toBe("2h");
    expect(formatDuration({ seconds: 0n, nanos: 500_000_000 })).toBe("0.5s");
    expect(formatDuration({ seconds: 0n, nanos: 0 })).toBe("0s");
    expect(formatDuration(undefined)).toBe("");
  });
});
