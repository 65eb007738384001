import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import { requirePrincipal } from "@tstr/auth";
import { type FieldViolation, namespaceAllowed, scopeSatisfies, ValidationError } from "@tstr/domain";
import { type ControlService, type SyncDefinitionsRequest, SyncDefinitionsResponseSchema } from "@tstr/proto";
import { mapErrors } from "../errors.js";
import { DEFAULT_NAMESPACE } from "../namespaces/resolve-namespace.js";
import type { DefinitionSync } from "./definition-sync.js";
import { SourceBusyError } from "./source-lock.js";
import { FOLDER_SOURCE_PREFIX } from "./source-ownership.js";

/** Longest accepted `source` owner tag. */
export const MAX_SOURCE_LENGTH = 200;

/**
 * ControlService.SyncDefinitions. Problems in the documents (syntax, validation, a namespace the
 * token may not write, a global executor without the admin scope, a definition owned by someone
 * else) are an answer, not an error: the response lists them and nothing was changed. A malformed
 * request (or a reserved `sync:` source) is InvalidArgument; a source another sync holds for too
 * long is Aborted.
 */
export function createSyncHandlers(deps: { sync: DefinitionSync }): Partial<ServiceImpl<typeof ControlService>> {
  return {
    syncDefinitions: (req, context) =>
      mapErrors(async () => {
        const principal = requirePrincipal(context);
        const violations = requestViolations(req);
        if (violations.length) throw new ValidationError(violations);
        const result = await deps.sync
          .sync({
            source: req.source,
            documents: req.documents.map((d, i) => ({ file: d.file || `documents[${i}]`, content: d.content })),
            prune: req.prune,
            dryRun: req.dryRun,
            defaultNamespace: headerNamespace(context),
            allowedNamespace: (namespace) => namespaceAllowed(principal.namespaceSelectors, namespace),
            // Global executors are visible in every namespace: like ApplyExecutor, only admins write them.
            allowGlobal: scopeSatisfies(principal.scopes, "admin"),
          })
          .catch((error: unknown) => {
            // A concurrency conflict the caller resolves by calling again.
            throw error instanceof SourceBusyError ? new ConnectError(error.message, Code.Aborted) : error;
          });
        return create(SyncDefinitionsResponseSchema, {
          changes: result.changes,
          problems: result.problems.map(({ file, index, field, message }) => ({
            file,
            field,
            message: index === undefined ? message : `document ${index}: ${message}`,
          })),
        });
      }),
  };
}

function requestViolations(req: SyncDefinitionsRequest): FieldViolation[] {
  const violations: FieldViolation[] = [];
  const source = req.source;
  if (source.trim() === "") violations.push({ path: "source", message: 'required, e.g. "cli:<name>"' });
  else if (source.length > MAX_SOURCE_LENGTH) {
    violations.push({ path: "source", message: `must be at most ${MAX_SOURCE_LENGTH} characters` });
  } else if (/\p{Cc}/u.test(source)) {
    violations.push({ path: "source", message: "must not contain control characters" });
  } else if (source.startsWith(FOLDER_SOURCE_PREFIX)) {
    violations.push({
      path: "source",
      message: `"${FOLDER_SOURCE_PREFIX}" sources are reserved for the server's --sync-dir folder; use one such as "cli:<name>"`,
    });
  }
  return violations;
}

/** Documents without a namespace use the tstr-style `namespace` header, else "default". */
function headerNamespace(context: HandlerContext): string {
  return context.requestHeader.get("namespace")?.trim() || DEFAULT_NAMESPACE;
}
