import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { useTestDatabase } from "@tstr/testing";
import { afterAll, describe, expect, it } from "vitest";
import { runTstr, startServeProcess, type TstrProcess } from "./support/tstr-process.js";

// An operator-managed signing key: `tstr keygen` writes one, `--signing-key-file` makes every
// replica sign with it instead of the key kept in the database; a bad file is refused clearly.

const database = useTestDatabase();
let dir = "";
let server: { proc: TstrProcess; bootstrapToken?: string } | undefined;

afterAll(async () => {
  await server?.proc.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("--signing-key-file", () => {
  it("signs tokens with the key from tstr keygen", async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "tstr-key-"));
    const keygen = await runTstr(["keygen"]);
    expect(keygen.code).toBe(0);
    const keyFile = path.join(dir, "key.json");
    await writeFile(keyFile, keygen.stdout);
    server = await startServeProcess(database.url, ["--signing-key-file", keyFile]);
    const header = JSON.parse(Buffer.from(server.bootstrapToken?.split(".")[0] ?? "", "base64url").toString());
    expect(header).toMatchObject({ alg: "EdDSA", kid: JSON.parse(keygen.stdout).kid });
  }, 60_000);

  it("refuses a file that is not a key, naming it", async () => {
    const bad = path.join(dir, "bad.json");
    await writeFile(bad, '{"hello": "world"}');
    const result = await runTstr(["serve", "--listen", "127.0.0.1:0", "--signing-key-file", bad], {
      DATABASE_URL: database.url,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`--signing-key-file ${bad}: not a key from`);
  }, 60_000);
});
