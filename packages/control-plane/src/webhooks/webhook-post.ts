/** How one POST went: a 2xx, or why not (status code when the receiver answered). */
export type PostOutcome = { ok: true; statusCode: number } | { ok: false; statusCode?: number; error: string };

/** How much of an error response's body is kept in the delivery log. */
const BODY_SNIPPET_BYTES = 200;

/**
 * POSTs `body` to `url` once, bounded by `timeoutMs` (connect, headers and the start of the
 * body) and by `signal`. Redirects are not followed (a 3xx is a failure to fix in the webhook's
 * URL); answers other than 2xx keep a short snippet of their body for the delivery log.
 */
export async function postWebhook(
  url: string,
  headers: Record<string, string>,
  body: string,
  opts: { timeoutMs: number; signal: AbortSignal },
): Promise<PostOutcome> {
  const signal = AbortSignal.any([opts.signal, AbortSignal.timeout(opts.timeoutMs)]);
  try {
    const response = await fetch(url, { method: "POST", headers, body, redirect: "manual", signal });
    if (response.status >= 200 && response.status < 300) {
      await response.body?.cancel().catch(() => undefined);
      return { ok: true, statusCode: response.status };
    }
    const snippet = await readSnippet(response);
    return { ok: false, statusCode: response.status, error: `HTTP ${response.status}${snippet ? `: ${snippet}` : ""}` };
  } catch (error) {
    return { ok: false, error: describeFailure(error, opts.timeoutMs) };
  }
}

async function readSnippet(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < BODY_SNIPPET_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } catch {
    // A body cut short still leaves the status code to report.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const text = Buffer.concat(chunks).subarray(0, BODY_SNIPPET_BYTES).toString("utf8");
  return text.replace(/\s+/g, " ").trim();
}

/** "connect ECONNREFUSED 127.0.0.1:8080", "no answer within 10000 ms", … */
function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === "TimeoutError") return `no answer within ${timeoutMs} ms`;
  if (error instanceof Error && error.name === "AbortError") return "the attempt was interrupted";
  const cause = (error as { cause?: unknown })?.cause;
  if (cause instanceof Error) {
    if (cause.name === "TimeoutError") return `no answer within ${timeoutMs} ms`;
    return cause.message || String((cause as { code?: unknown }).code ?? cause.name);
  }
  return error instanceof Error ? error.message : String(error);
}
