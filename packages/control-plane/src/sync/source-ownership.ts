/**
 * Owner tags of the server's own folder sync (`sync:<dir>`). SyncDefinitions refuses them: a
 * caller choosing one could rewrite and prune what `--sync-dir` manages.
 */
export const FOLDER_SOURCE_PREFIX = "sync:";

/** A stored definition as far as ownership goes: what it is called and which source manages it. */
export interface OwnedDefinition {
  spec: { namespace: string; name: string };
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
  constructor(kind: "test" | "suite", existing: OwnedDefinition, source: string) {
    super(notManagedMessage(kind, existing, source));
  }
}

/** "test team/web exists and is not managed by sync:/dir (it was created outside any sync); …". */
export function notManagedMessage(kind: "test" | "suite", existing: OwnedDefinition, source: string): string {
  const { namespace, name } = existing.spec;
  const owner = existing.source ? `it belongs to ${existing.source}` : "it was created outside any sync";
  return `${kind} ${namespace}/${name} exists and is not managed by ${source} (${owner}); delete it or remove it from the definitions`;
}

/**
 * Refuses a write by sync `source` to a definition another owner manages. Without a source (an
 * ApplyTest/ApplySuite call, `tstrctl apply`) anything may be written, as before.
 */
export function assertManagedBy(kind: "test" | "suite", existing: OwnedDefinition, source: string | undefined): void {
  if (source !== undefined && existing.source !== source) throw new NotManagedBySourceError(kind, existing, source);
}
