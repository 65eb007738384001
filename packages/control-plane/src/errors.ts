import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { ValidationError } from "@tstr/domain";
import { BadRequestSchema } from "@tstr/proto/grpc";

/** A named thing does not exist (or is outside what the caller may see). */
export class NotFoundError extends Error {}

/** A create collided with an existing thing of the same name. */
export class ConflictError extends Error {}

/** The caller may not act on this namespace or object. */
export class ForbiddenError extends Error {}

/**
 * Maps service-layer errors to Connect errors with messages that name what was wrong. Validation
 * failures also carry a google.rpc.BadRequest detail listing every field path.
 */
export function toConnectError(error: unknown): ConnectError {
  const mapped = mapError(error);
  if (mapped.rawMessage.length <= MAX_MESSAGE) return mapped;
  const shortened = new ConnectError(`${mapped.rawMessage.slice(0, MAX_MESSAGE)}…`, mapped.code, mapped.metadata);
  shortened.details = mapped.details;
  return shortened;
}

/** Error messages echo user input; a hostile input must not come back a megabyte long. */
const MAX_MESSAGE = 1000;

function mapError(error: unknown): ConnectError {
  if (error instanceof ConnectError) return error;
  if (error instanceof ValidationError) {
    const detail = create(BadRequestSchema, {
      fieldViolations: error.violations.map((v) => ({
        field: v.path,
        description: v.message,
      })),
    });
    return new ConnectError(`invalid request: ${error.message}`, Code.InvalidArgument, undefined, [
      { desc: BadRequestSchema, value: detail },
    ]);
  }
  if (error instanceof NotFoundError) return new ConnectError(error.message, Code.NotFound);
  if (error instanceof ConflictError) return new ConnectError(error.message, Code.AlreadyExists);
  if (error instanceof ForbiddenError) return new ConnectError(error.message, Code.PermissionDenied);
  if (error instanceof Error && error.name === "NotFoundError") {
    return new ConnectError(error.message, Code.NotFound);
  }
  if (error instanceof Error && error.name === "InvalidPageTokenError") {
    return new ConnectError(`page_token: ${error.message}`, Code.InvalidArgument);
  }
  if (error instanceof Error && error.name === "AlreadyExistsError") {
    return new ConnectError(error.message, Code.AlreadyExists);
  }
  if (error instanceof Error && error.name === "SelectorSyntaxError") {
    return new ConnectError(`invalid selector: ${error.message}`, Code.InvalidArgument);
  }
  return new ConnectError("internal error", Code.Internal, undefined, undefined, error);
}

/** Runs a handler body and converts whatever it throws with toConnectError. */
export async function mapErrors<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw toConnectError(error);
  }
}
