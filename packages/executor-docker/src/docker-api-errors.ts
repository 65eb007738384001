import { ExecutorError, type ExecutorFailureReason } from "@tstr/executor";

/** The shape docker-modem gives failed API calls. */
interface DockerApiError {
  statusCode?: number;
  json?: { message?: string } | null;
  message?: string;
}

/** The HTTP status of a failed Docker API call, if it got that far. */
export function dockerStatusOf(err: unknown): number | undefined {
  return (err as DockerApiError | undefined)?.statusCode;
}

/**
 * The daemon's own words for a failure, without docker-modem's "(HTTP code 500) server error - "
 * wrapper (streamed endpoints such as pull only have the wrapped text), for ExecutorError messages.
 */
export function daemonMessageOf(err: unknown): string {
  const apiError = err as DockerApiError | undefined;
  const text = apiError?.json?.message ?? apiError?.message ?? String(err);
  return text.replace(/^\(HTTP code \d+\) [^-]*- /, "").trim();
}

/** Re-throws aborts and ExecutorErrors as they are; wraps anything else with `reason`. */
export function toExecutorError(err: unknown, reason: ExecutorFailureReason, what: string): Error {
  if (err instanceof ExecutorError || (err as Error | undefined)?.name === "AbortError") return err as Error;
  return new ExecutorError(reason, `${what}: ${daemonMessageOf(err)}`);
}

/** Runs a cleanup call whose "already gone" answers (404 no such, 409 in progress) are success. */
export async function ignoringGone(call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (err) {
    const status = dockerStatusOf(err);
    if (status !== 404 && status !== 409 && status !== 304) throw err;
  }
}
