import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpRoutes } from "./http-routes.js";
import { assetFile, createWebAssets, WEB_SECURITY_HEADERS } from "./web-assets.js";

// The UI's files served by the HTTP fallback over a real socket, from a real folder on disk.

let root = "";
let built = "";
const servers: Server[] = [];

async function serve(dir: string | undefined): Promise<string> {
  const server = createServer(createHttpRoutes(() => true, createWebAssets(dir)) as never);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "tstr-web-assets-"));
  built = path.join(root, "dist");
  await mkdir(path.join(built, "assets"), { recursive: true });
  await writeFile(path.join(built, "index.html"), "<!doctype html><title>tstr</title>");
  await writeFile(path.join(built, "assets", "app-ABC123.js"), "console.log('tstr');");
  await writeFile(path.join(built, "assets", "app-ABC123.css"), "body{}");
  await writeFile(path.join(built, "assets", ".hidden"), "secret");
  await writeFile(path.join(root, "outside.txt"), "not part of the UI");
});
afterAll(async () => {
  for (const server of servers) server.close();
  await rm(root, { recursive: true, force: true });
});

describe("assetFile", () => {
  it.each([
    ["/", "index.html"],
    ["/index.html", "index.html"],
    ["/?x=1", "index.html"],
    ["/assets/app-ABC123.js", "assets/app-ABC123.js"],
    ["/assets/app-ABC123.js?v=2", "assets/app-ABC123.js"],
    ["/assets/..", undefined],
    ["/assets/%2e%2e", undefined],
    ["/assets/..%2fpackage.json", undefined],
    ["/assets/%2e%2e%2f%2e%2e%2fetc%2fpasswd", undefined],
    ["/assets/.hidden", undefined],
    ["/assets/a/b.js", undefined],
    ["/assets/%E0%A4%A", undefined],
    ["/../outside.txt", undefined],
    ["/outside.txt", undefined],
    ["/healthz", undefined],
  ])("%s → %s", (url, expected) => {
    expect(assetFile(url)?.relative).toBe(expected);
  });
});

describe("serving a built UI", () => {
  it("answers / with index.html, not cached, with the security headers", async () => {
    const url = await serve(built);
    const res = await fetch(`${url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    for (const [name, value] of Object.entries(WEB_SECURITY_HEADERS)) expect(res.headers.get(name)).toBe(value);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(await res.text()).toContain("<title>tstr</title>");
  });

  it("serves hashed assets as immutable with their content type, and 304 on a matching ETag", async () => {
    const url = await serve(built);
    const js = await fetch(`${url}/assets/app-ABC123.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(js.headers.get("x-content-type-options")).toBe("nosniff");
    const css = await fetch(`${url}/assets/app-ABC123.css`);
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    const etag = js.headers.get("etag") ?? "";
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await fetch(`${url}/assets/app-ABC123.js`, { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
  });

  it("answers HEAD with headers only", async () => {
    const url = await serve(built);
    const res = await fetch(`${url}/`, { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(Number(res.headers.get("content-length"))).toBeGreaterThan(0);
    expect(await res.text()).toBe("");
  });

  it("never serves files outside the folder, dotfiles or unknown paths (404)", async () => {
    const url = await serve(built);
    for (const p of ["/assets/.hidden", "/assets/..%2f..%2foutside.txt", "/assets/missing.js", "/outside.txt"]) {
      const res = await fetch(`${url}${p}`);
      expect(res.status, p).toBe(404);
      expect(await res.text(), p).not.toMatch(/secret|not part of the UI/);
    }
  });

  it("leaves other methods and /healthz to the other routes", async () => {
    const url = await serve(built);
    expect((await fetch(`${url}/`, { method: "POST" })).status).toBe(404);
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: "ok" });
  });
});

describe("without a built UI", () => {
  it("answers / with a page that says how to build it", async () => {
    const url = await serve(path.join(root, "missing"));
    const res = await fetch(`${url}/`);
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const text = await res.text();
    expect(text).toContain("pnpm --filter @tstr/web build");
    expect(text).toContain(path.join(root, "missing"));
    expect((await fetch(`${url}/assets/app-ABC123.js`)).status).toBe(404);
  });

  it("says so too when no folder was configured", async () => {
    const url = await serve(undefined);
    const res = await fetch(`${url}/`);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain("pnpm --filter @tstr/web build");
  });
});
