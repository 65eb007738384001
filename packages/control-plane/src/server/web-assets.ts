import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { ConnectNodeAdapterOptions } from "@connectrpc/connect-node";

type NodeHandlerFn = NonNullable<ConnectNodeAdapterOptions["fallback"]>;
type Req = Parameters<NodeHandlerFn>[0];
type Res = Parameters<NodeHandlerFn>[1];

/**
 * Serves the built web UI (`apps/web/dist`): `index.html` at `/` and content-hashed files under
 * `/assets/`. Answers true when it handled the request, false to let the caller answer 404.
 */
export type WebAssetHandler = (req: Req, res: Res) => Promise<boolean>;

/**
 * Only the UI's own origin may supply scripts, styles, images and API calls; nothing may frame it.
 * Inline scripts and style attributes are refused too (the UI sets styles through the CSSOM only).
 */
export const WEB_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
};

/** A single file name: letters, digits, dot, dash, underscore, not starting with a dot. */
const ASSET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/**
 * Builds the handler for the UI in `dir`. Without `dir`, or before the UI is built, `/` answers a
 * short page saying how to build it, so a fresh clone explains itself instead of answering 404.
 */
export function createWebAssets(dir: string | undefined): WebAssetHandler {
  return async (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const file = assetFile(req.url ?? "/");
    if (!file) return false;
    const content = dir ? await readFile(path.join(dir, file.relative)).catch(() => undefined) : undefined;
    if (!content) {
      if (file.relative !== "index.html") return false;
      sendBody(req, res, 503, notBuiltPage(dir), {
        "content-type": CONTENT_TYPES[".html"] ?? "",
        "cache-control": "no-store",
      });
      return true;
    }
    const etag = `"${createHash("sha256").update(content).digest("base64url").slice(0, 27)}"`;
    const headers: Record<string, string> = {
      "content-type": CONTENT_TYPES[path.extname(file.relative)] ?? "application/octet-stream",
      "cache-control": file.immutable ? "public, max-age=31536000, immutable" : "no-cache",
      etag,
    };
    if (req.headers["if-none-match"] === etag) {
      res.writeHead(304, { ...WEB_SECURITY_HEADERS, ...headers });
      res.end();
      return true;
    }
    sendBody(req, res, 200, content, headers);
    return true;
  };
}

/**
 * Maps a request path to a file of the UI, or undefined when it is not one. `/` and `/index.html`
 * are the page; `/assets/<name>` are hashed (immutable) files. Any other shape — `..`, encoded
 * slashes, nested folders, dotfiles — is not a UI path, so nothing outside the folder is reachable.
 */
export function assetFile(url: string): { relative: string; immutable: boolean } | undefined {
  const pathname = url.split(/[?#]/)[0] ?? "/";
  if (pathname === "/" || pathname === "/index.html") return { relative: "index.html", immutable: false };
  const match = /^\/assets\/([^/]+)$/.exec(pathname);
  if (!match?.[1]) return undefined;
  let name: string;
  try {
    name = decodeURIComponent(match[1]);
  } catch {
    return undefined;
  }
  if (!ASSET_NAME.test(name)) return undefined;
  return { relative: `assets/${name}`, immutable: true };
}

function sendBody(req: Req, res: Res, status: number, body: string | Buffer, headers: Record<string, string>) {
  res.writeHead(status, { ...WEB_SECURITY_HEADERS, ...headers, "content-length": Buffer.byteLength(body) });
  if (req.method === "HEAD") res.end();
  else res.end(body);
}

function notBuiltPage(dir: string | undefined): string {
  const where = dir
    ? `No built web UI was found in <code>${escapeHtml(dir)}</code>.`
    : "This server has no web UI folder.";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tstr — web UI not built</title></head>
<body>
<h1>tstr web UI is not built</h1>
<p>${where}</p>
<p>Build it from the source tree with <code>pnpm --filter @tstr/web build</code> and reload this page.
The API on this port works without it.</p>
</body></html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
