import { Code, ConnectError } from "@connectrpc/connect";

/**
 * The server refused a report because this attempt is no longer ours (the run was re-queued,
 * reassigned, finished or deleted). Nothing about the run may be retried or reported any more.
 */
export class StaleAttemptError extends Error {
  override readonly name = "StaleAttemptError";
  constructor(
    readonly runId: string,
    readonly attempt: number,
    readonly error: ConnectError,
  ) {
    super(`run ${runId} attempt ${attempt} is no longer assigned to this runner: ${error.rawMessage}`);
  }
}

/** The codes the server answers a report of a stale (run_id, attempt) with. */
export const STALE_ATTEMPT_CODES: readonly Code[] = [Code.FailedPrecondition, Code.NotFound];

/** Whether the server refused a call because the attempt is no longer this runner's. */
export function isStaleAttempt(error: unknown): boolean {
  return STALE_ATTEMPT_CODES.includes(ConnectError.from(error).code);
}

/**
 * Whether retrying the same call can succeed: network trouble, a restarting or overloaded
 * server. Bad requests and refused credentials are not retried, so they surface at once.
 */
export function isTransient(error: unknown): boolean {
  switch (ConnectError.from(error).code) {
    case Code.Unavailable:
    case Code.DeadlineExceeded:
    case Code.ResourceExhausted:
    case Code.Aborted:
    case Code.Internal:
    case Code.Unknown:
    case Code.Canceled:
      return true;
    default:
      return false;
  }
}

/**
 * Whether retrying the same ReportResults can succeed. Like isTransient, except ResourceExhausted:
 * for a report it means the request is over the server's size limit, which the same bytes will
 * exceed again however often they are sent.
 */
export function isTransientReport(error: unknown): boolean {
  return isTransient(error) && ConnectError.from(error).code !== Code.ResourceExhausted;
}

/** A short description for logs and system log lines. */
export function describeError(error: unknown): string {
  if (error instanceof ConnectError) return `${Code[error.code]}: ${error.rawMessage}`;
  return error instanceof Error ? error.message : String(error);
}
