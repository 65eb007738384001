import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { ValidationError } from "@tstr/domain";
import { BadRequestSchema } from "@tstr/proto/grpc";

/** A named thing does not exist (or is outside what the caller may see). */
export class NotFoundError extends Error {
  override readonly name = "NotFoundError";
}

/** The caller may not act on this namespace or object. */
export class ForbiddenError extends Error {
  override readonly name = "ForbiddenError";
}

/**
 * Error classes of every layer (domain, db, services) by their `name`, and the gRPC code each
 * means for the caller. Anything else is an internal error.
 */
const CODE_BY_ERROR_NAME: Record<string, Code> = {
  NotFoundError: Code.NotFound,
  AlreadyExistsError: Code.AlreadyExists,
  ForbiddenError: Code.PermissionDenied,
  StaleAttemptError: Code.FailedPrecondition,
  EmptySuiteError: Code.FailedPrecondition,
  MissingExecutorError: Code.FailedPrecondition,
  NotManagedBySourceError: Code.FailedPrecondition,
  BuiltinExecutorError: Code.InvalidArgument,
  ExecutorNameTakenError: Code.AlreadyExists,
  SourceBusyError: Code.Aborted,
  SelectorSyntaxError: Code.InvalidArgument,
  InvalidPageTokenError: Code.InvalidArgument,
};

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
  if (isDatabaseUnavailable(error)) {
    return new ConnectError(
      "the database is unavailable; retry shortly",
      Code.Unavailable,
      undefined,
      undefined,
      error,
    );
  }
  const code = error instanceof Error ? CODE_BY_ERROR_NAME[error.name] : undefined;
  if (code !== undefined) return new ConnectError((error as Error).message, code);
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

/**
 * Lost or refused database connections (a restart, a failover): callers should retry, so these
 * are Unavailable rather than Internal — runners keep their runs and resend.
 */
function isDatabaseUnavailable(error: unknown): boolean {
  const code = String((error as { code?: unknown })?.code ?? "");
  const message = error instanceof Error ? error.message : "";
  return (
    code.startsWith("08") ||
    ["57P01", "57P02", "57P03", "ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT"].includes(code) ||
    /Connection terminated|terminating connection|the database system is (starting up|shutting down)/.test(message)
  );
}

/** Like mapErrors, for a server stream: whatever it throws mid-stream is mapped too. */
export async function* mapStreamErrors<T>(stream: AsyncIterable<T>): AsyncGenerator<T> {
  try {
    yield* stream;
  } catch (error) {
    throw toConnectError(error);
  }
}
