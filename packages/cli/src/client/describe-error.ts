import { Code, ConnectError } from "@connectrpc/connect";
import { CliError } from "../cli-error.js";

/** What to print for a failure: the one-line message and an optional hint line. */
export interface ErrorReport {
  message: string;
  hint?: string;
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
]);

/** What the caller knew when the call failed, so messages can say where and with what. */
export interface CallSite {
  addr?: string;
  hadToken?: boolean;
}

/**
 * Maps any failure to a message a person can act on: network failures and Unavailable say the
 * server cannot be reached, Unauthenticated points at --token / TSTR_TOKEN, and InvalidArgument,
 * PermissionDenied and NotFound pass on the server's message (it names fields and scopes).
 */
export function describeError(error: unknown, site: CallSite = {}): ErrorReport {
  if (error instanceof CliError)
    return { message: error.message, ...(error.options.hint ? { hint: error.options.hint } : {}) };
  if (!(error instanceof ConnectError)) return { message: error instanceof Error ? error.message : String(error) };
  const addr = site.addr ?? "the server";
  const raw = error.rawMessage;
  switch (error.code) {
    case Code.Unavailable:
      return unreachable(addr, raw);
    case Code.Unauthenticated:
      return {
        message: site.hadToken ? `not authenticated: ${raw}` : "not authenticated: no token given",
        hint: "pass --token or set TSTR_TOKEN (or store one with `tstrctl config set-context NAME --token …`)",
      };
    case Code.DeadlineExceeded:
      return { message: `${addr} did not answer in time (${raw})` };
    case Code.Unimplemented:
      return /HTTP 404/.test(raw)
        ? {
            message: `${addr} does not serve the tstr API (${raw})`,
            hint: "check --addr, TSTR_ADDR or the current context",
          }
        : { message: raw };
    case Code.InvalidArgument:
    case Code.PermissionDenied:
    case Code.NotFound:
    case Code.AlreadyExists:
    case Code.FailedPrecondition:
      return { message: raw };
    case Code.Internal:
      return {
        message: `internal server error: ${raw}`,
        hint: "the failure is on the server; its log has the details",
      };
    default:
      if (isNetworkFailure(error)) return unreachable(addr, raw);
      return { message: `${Code[error.code]}: ${raw}` };
  }
}

/** Failures that no other document or retry would avoid: stop instead of trying the rest. */
export function isFatalCallError(error: unknown): boolean {
  return (
    error instanceof ConnectError &&
    (error.code === Code.Unavailable || error.code === Code.Unauthenticated || isNetworkFailure(error))
  );
}

/**
 * Failures worth retrying on the same call: the server went away (Unavailable, a reset or refused
 * connection) or the stream was cut (Aborted), as a restart, deploy or flaky proxy would do.
 */
export function isTransientCallError(error: unknown): boolean {
  return (
    error instanceof ConnectError &&
    (error.code === Code.Unavailable || error.code === Code.Aborted || isNetworkFailure(error))
  );
}

function unreachable(addr: string, raw: string): ErrorReport {
  return {
    message: `cannot reach ${addr}: is tstr running? (tstr dev starts one)`,
    hint: `check --addr, TSTR_ADDR or the current context (${raw})`,
  };
}

function isNetworkFailure(error: ConnectError): boolean {
  const code = (error.cause as NodeJS.ErrnoException | undefined)?.code;
  return code !== undefined && NETWORK_CODES.has(code);
}
