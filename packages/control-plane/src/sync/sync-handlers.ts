import { create } from "@bufbuild/protobuf";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { requirePrincipal } from "@tstr/auth";
import { type FieldViolation, namespaceAllowed, ValidationError } from "@tstr/domain";
import { type ControlService, type SyncDefinitionsRequest, SyncDefinitionsResponseSchema } from "@tstr/proto";
import { mapErrors } from "../errors.js";
import { DEFAULT_NAMESPACE } from "../namespaces/resolve-namespace.js";
import type { DefinitionSync } from "./definition-sync.js";

/** Longest accepted `source` owner tag. */
export const MAX_SOURCE_LENGTH = 200;

/**
 * ControlService.SyncDefinitions. Problems in the documents (syntax, validation, a namespace the
 * token may not write, a definition owned by someone else) are an answer, not an error: the
 * response lists them and nothing was changed. Only a malformed request is InvalidArgument.
 */
export function createSyncHandlers(deps: { sync: DefinitionSync }): Partial<ServiceImpl<typeof ControlService>> {
  return {
    syncDefinitions: (req, context) =>
      mapErrors(async () => {
        const principal = requirePrincipal(context);
        const violations = requestViolations(req);
        if (violations.length) throw new ValidationError(violations);
        const result = await deps.sync.sync({
          source: req.source,
          documents: req.documents.map((d, i) => ({ file: d.file || `documents[${i}]`, content: d.content })),
          prune: req.prune,
          dryRun: req.dryRun,
          defaultNamespace: headerNamespace(context),
          allowedNamespace: (namespace) => namespaceAllowed(principal.namespaceSelectors, namespace),
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
  if (source.trim() === "") violations.push({ path: "source", message: 'required, e.g. "sync:/etc/tstr/tests"' });
  else if (source.length > MAX_SOURCE_LENGTH) {
    violations.push({ path: "source", message: `must be at most ${MAX_SOURCE_LENGTH} characters` });
  } else if (/\p{Cc}/u.test(source))
    violations.push({ path: "source", message: "must not contain control characters" });
  return violations;
}

/** Documents without a namespace use the tstr-style `namespace` header, else "default". */
function headerNamespace(context: HandlerContext): string {
  return context.requestHeader.get("namespace")?.trim() || DEFAULT_NAMESPACE;
}
