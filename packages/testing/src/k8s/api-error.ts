/** A Kubernetes `Status` object, the body of every failed API call (and some deletions). */
export interface KubeStatus {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Failure" | "Success";
  message?: string;
  reason?: string;
  details?: { name?: string; group?: string; kind?: string; causes?: { field: string; message: string }[] };
  code: number;
}

/** A failed call of the emulated API, answered with the status code and Status body the real API server uses. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: KubeStatus["details"],
  ) {
    super(message);
  }

  toStatus(): KubeStatus {
    return {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

/** `pods "x" not found`, `jobs.batch "x" not found`. */
export function notFound(resource: string, group: string, name: string): ApiError {
  const qualified = group ? `${resource}.${group}` : resource;
  return new ApiError(404, "NotFound", `${qualified} "${name}" not found`, { name, group, kind: resource });
}

export function alreadyExists(resource: string, group: string, name: string): ApiError {
  const qualified = group ? `${resource}.${group}` : resource;
  return new ApiError(409, "AlreadyExists", `${qualified} "${name}" already exists`, { name, group, kind: resource });
}

/** 422 with one cause per field, worded like the API server: `Job.batch "x" is invalid: spec...: Required value`. */
export function invalid(kind: string, group: string, name: string, causes: { field: string; message: string }[]) {
  const qualified = group ? `${kind}.${group}` : kind;
  const text = causes.map((cause) => `${cause.field}: ${cause.message}`).join(", ");
  return new ApiError(422, "Invalid", `${qualified} "${name}" is invalid: ${text}`, { name, group, kind, causes });
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, "BadRequest", message);
}

/** Success Status, what DELETE answers when the object is gone at once. */
export function successStatus(resource: string, group: string, name: string, uid: string) {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Success",
    details: { name, group, kind: resource, uid },
  };
}
