import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configFilePath, loadConfig, saveConfig } from "./config-file.js";

async function tempPath(name = "config.yaml"): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), "tstr-cli-config-")), "nested", name);
}

describe("config file", () => {
  it("lives at $TSTR_CONFIG or under the home directory", () => {
    expect(configFilePath({}, "/home/me", "/work")).toBe("/home/me/.config/tstr/config.yaml");
    expect(configFilePath({ TSTR_CONFIG: "conf/t.yaml" }, "/home/me", "/work")).toBe("/work/conf/t.yaml");
  });

  it("reads a missing file as empty and round-trips what it saves, with mode 0600", async () => {
    const path = await tempPath();
    expect(await loadConfig(path)).toEqual({ contexts: {} });
    const config = { currentContext: "a", contexts: { a: { addr: "http://a", token: "t", namespace: "n" } } };
    await saveConfig(path, config);
    expect(await loadConfig(path)).toEqual(config);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readFile(path, "utf8")).toContain("currentContext: a");
  });

  it("tightens the mode of an existing, too-open file when saving", async () => {
    const path = await tempPath();
    await saveConfig(path, { contexts: {} });
    await writeFile(path, "contexts: {}\n", { mode: 0o644 });
    await saveConfig(path, { contexts: { b: {} } });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it("explains malformed files", async () => {
    const path = await tempPath();
    await saveConfig(path, { contexts: {} });
    await writeFile(path, "contexts: [a, b]\n");
    await expect(loadConfig(path)).rejects.toThrow(`config file ${path}: contexts must be a mapping`);
    await writeFile(path, "contexts: {a: {addr: 5}}\n");
    await expect(loadConfig(path)).rejects.toThrow("contexts.a.addr must be a string");
    await writeFile(path, "contexts: {a: [\n");
    await expect(loadConfig(path)).rejects.toThrow("is not valid YAML");
  });
});
