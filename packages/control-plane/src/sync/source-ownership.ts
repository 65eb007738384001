/**
 * Owner tags of the server's own folder sync (`sync:<dir>`). SyncDefinitions refuses them: a
 * caller choosing one could rewrite and prune what `--sync-dir` manages.
 */
export const FOLDER_SOURCE_PREFIX = "sync:";

/** The kinds of definition a sync manages. */
export type DefinitionKind = "test" | "suite" | "executor";

/** A stored definition as far as ownership goes: what it is called and which source manages it. */
export interface OwnedDefinition {
  /** No namespace: a global executor. */
  spec: { namespace?: string; name: string };
  /** The sync source that manages it; absent when it was created by hand or over the API. */
  source?: string;
}

/**
 * A sync source tried to write a definition that someone else owns (created by hand, over the
 * API, or by another source). Writing it anyway would let a folder rewrite — and later prune —
 * something nobody put in it.
 */
export class NotManagedBySourceError extends Error {
  override readonly name = "NotManagedBySourceError";
  constructor(kind: DefinitionKind, existing: OwnedDefinition, source: string) {
    super(notManagedMessage(kind, existing, source));
  }
}

/** "test team/web exists and is not managed by sync:/dir (it was created outside any sync); …". */
export function notManagedMessage(kind: DefinitionKind, existing: OwnedDefinition, source: string): string {
  const owner = existing.source ? `it belongs to ${existing.source}` : "it was created outside any sync";
  return `${definitionLabel(kind, existing.spec)} exists and is not managed by ${source} (${owner}); delete it or remove it from the definitions`;
}

/**
 * Refuses a write by sync `source` to a definition another owner manages. Without a source (an
 * ApplyTest/ApplySuite call, `tstrctl apply`) anything may be written, as before.
 */
export function assertManagedBy(kind: DefinitionKind, existing: OwnedDefinition, source: string | undefined): void {
  if (source !== undefined && existing.source !== source) throw new NotManagedBySourceError(kind, existing, source);
}

/** "test team/web", or "executor k6 (global)" for a global executor. */
export function definitionLabel(kind: DefinitionKind, spec: { namespace?: string; name: string }): string {
  return spec.namespace === undefined ? `${kind} ${spec.name} (global)` : `${kind} ${spec.namespace}/${spec.name}`;
}
