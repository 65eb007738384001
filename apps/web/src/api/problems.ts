import { Code, ConnectError } from "@connectrpc/connect";

/** What went wrong, said for a user: a headline, the server's detail, and what to do about it. */
export interface Problem {
  title: string;
  detail: string;
  action: string;
  /** The token no longer works (expired, revoked, wrong key): the app signs out. */
  signOut: boolean;
  code: Code | undefined;
}

/**
 * Turns an error of an API call into a Problem. `what` names the failed action ("load the tests")
 * so the message says what failed, not just how.
 */
export function describeProblem(error: unknown, what: string): Problem {
  const err = ConnectError.from(error);
  const detail = err.rawMessage;
  const base = { detail, code: err.code, signOut: false };
  switch (err.code) {
    case Code.Unauthenticated:
      return {
        ...base,
        title: `Could not ${what}: your token was not accepted`,
        action: "It may have expired or been revoked. Sign in again with a valid token.",
        signOut: true,
      };
    case Code.PermissionDenied: {
      const scope = /needs scope "([^"]+)"/.exec(detail)?.[1];
      return {
        ...base,
        title: `Could not ${what}: permission denied`,
        action: scope
          ? `This needs a token with the "${scope}" scope. Ask an admin to issue one (Tokens page or \`tstrctl token issue\`).`
          : "Your token may not reach this namespace. Pick another namespace or ask an admin for access.",
      };
    }
    case Code.NotFound:
      return {
        ...base,
        title: `Could not ${what}: not found`,
        action: "It may have been deleted, or it lives in another namespace.",
      };
    case Code.InvalidArgument:
    case Code.FailedPrecondition:
      return { ...base, title: `Could not ${what}`, action: "Correct the input named above and try again." };
    case Code.Unavailable:
    case Code.Unknown:
    case Code.Canceled:
    case Code.DeadlineExceeded:
      return {
        ...base,
        title: `Could not ${what}: the server did not answer`,
        action: "Check that `tstr serve` (or `tstr dev`) is running and reachable; this page retries on its own.",
      };
    default:
      return { ...base, title: `Could not ${what}`, action: "Try again; if it keeps failing, check the server log." };
  }
}
