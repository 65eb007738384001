import { Code, ConnectError } from "@connectrpc/connect";
import type { Principal } from "@tstr/auth";
import { ExecutionStateError, LocationFullError } from "@tstr/db";
import { locationFullMessage, namespaceMatcher } from "@tstr/domain";

/**
 * The wire error for what the executions repository refuses; anything else is returned as is
 * (for mapErrors). A full location is RESOURCE_EXHAUSTED: the capacity frees up by itself when a
 * run there ends, so retrying later is the right move. Runs of namespaces the caller's token does
 * not cover are counted in the message but not named. A run that is not a running external
 * execution is FAILED_PRECONDITION, naming its state.
 */
export function executionErrorToConnect(
  error: unknown,
  caller: { principal: Principal; namespace: string; now: Date },
): unknown {
  if (error instanceof LocationFullError) {
    const message = locationFullMessage({
      location: error.location,
      needed: error.needed,
      occupants: error.occupants,
      namespace: caller.namespace,
      canSee: namespaceMatcher(caller.principal.namespaceSelectors),
      now: caller.now,
    });
    return new ConnectError(message, Code.ResourceExhausted);
  }
  if (error instanceof ExecutionStateError) return new ConnectError(error.message, Code.FailedPrecondition);
  return error;
}
