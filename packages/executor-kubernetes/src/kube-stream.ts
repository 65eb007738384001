import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest, type RequestOptions } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import { KubeApiError, statusBodyOf } from "./kube-api-error.js";

/**
 * Opens a long-lived GET (pod logs, watches) with node:http(s) and the kubeconfig's TLS and
 * credentials (`applyToHTTPSOptions`: CA, client certs, tokens, exec/OIDC plugins). Our own rather
 * than client-node's Log/Watch helpers, because a stream that breaks must surface as an error
 * (their pipe leaves the consumer hanging) so followers can resume. Non-200 answers reject with
 * the Status message.
 */
export async function openStream(
  kubeConfig: KubeConfig,
  path: string,
  query: Record<string, string | undefined>,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new KubeApiError(0, "NoCluster", "the kubeconfig has no current cluster");
  const url = new URL(cluster.server.replace(/\/+$/, "") + path);
  for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, value);
  const options: RequestOptions = {};
  await kubeConfig.applyToHTTPSOptions(options);
  signal.throwIfAborted();
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { ...options, method: "GET", signal }, (response) => {
      if (response.statusCode === 200) return resolve(response);
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("error", reject);
      response.on("end", () => {
        const status = statusBodyOf(body);
        const code = response.statusCode ?? 0;
        reject(
          new KubeApiError(
            code,
            status.reason ?? "Unknown",
            `GET ${url.pathname}: ${status.message ?? `HTTP ${code}`}`,
          ),
        );
      });
    });
    outgoing.on("error", (err) =>
      reject(
        err.name === "AbortError" ? err : new KubeApiError(0, "Unreachable", `GET ${url.pathname}: ${err.message}`),
      ),
    );
    outgoing.end();
  });
}

/** Newline-delimited JSON of a watch response, one parsed event per line. */
export async function* jsonLines<T>(stream: AsyncIterable<Buffer | string>): AsyncGenerator<T> {
  let pending = "";
  for await (const chunk of stream) {
    pending += chunk.toString();
    let newline = pending.indexOf("\n");
    while (newline !== -1) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (line) yield JSON.parse(line) as T;
      newline = pending.indexOf("\n");
    }
  }
}
