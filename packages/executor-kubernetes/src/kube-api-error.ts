import { ExecutorError } from "@tstr/executor";

/** A failed Kubernetes API call: HTTP status (0 when the server was not reached), Status reason and message. */
export class KubeApiError extends Error {
  override readonly name = "KubeApiError";
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** The Status body of an error response (a string or already parsed), for its message and reason. */
export function statusBodyOf(body: unknown): { message?: string; reason?: string } {
  if (typeof body === "string") {
    try {
      return JSON.parse(body) as { message?: string; reason?: string };
    } catch {
      return { message: body };
    }
  }
  return (body ?? {}) as { message?: string; reason?: string };
}

/**
 * Normalises what @kubernetes/client-node throws (ApiException with `code` and `body`) and
 * network errors into a KubeApiError that says which call failed.
 */
export function toKubeApiError(err: unknown, what: string): KubeApiError {
  if (err instanceof KubeApiError) return err;
  const apiException = err as { code?: unknown; body?: unknown; message?: string };
  if (typeof apiException?.code === "number" && apiException.code >= 100) {
    const status = statusBodyOf(apiException.body);
    const reason = status.reason ?? "Unknown";
    return new KubeApiError(apiException.code, reason, `${what}: ${status.message ?? `HTTP ${apiException.code}`}`);
  }
  const cause = (err as { cause?: { message?: string } })?.cause?.message;
  const message = [apiException?.message ?? String(err), cause].filter(Boolean).join(": ");
  return new KubeApiError(0, "Unreachable", `${what}: ${message}`);
}

export const isNotFound = (err: unknown) => err instanceof KubeApiError && err.status === 404;
export const isConflict = (err: unknown) => err instanceof KubeApiError && err.status === 409;

/**
 * The ExecutorError for a failed create: the cluster unreachable, unauthenticated or failing is
 * EXECUTOR_UNAVAILABLE; anything it refused (invalid, forbidden, quota, missing namespace) is
 * CREATE_FAILED. Aborts pass through.
 */
export function toCreateFailure(err: unknown): Error {
  if (err instanceof ExecutorError || (err as Error)?.name === "AbortError") return err as Error;
  const error = err instanceof KubeApiError ? err : toKubeApiError(err, "calling the Kubernetes API");
  const unavailable = error.status === 0 || error.status === 401 || error.status >= 500;
  return new ExecutorError(unavailable ? "EXECUTOR_UNAVAILABLE" : "CREATE_FAILED", error.message);
}
