import type { ServerStateRepository } from "@tstr/db";
import type { TokenService } from "./token-service.js";

const BOOTSTRAP_KEY = "bootstrap_admin_token";

/**
 * On the very first start of a database (across all replicas), issues one admin token and returns
 * it so the caller can show it once. Later starts return undefined: nothing is ever open.
 */
export async function issueBootstrapToken(
  state: ServerStateRepository,
  tokens: TokenService,
): Promise<string | undefined> {
  if (!(await state.claimOnce(BOOTSTRAP_KEY, { pending: true }))) {
    // A start that claimed the bootstrap but died before recording the token leaves it pending;
    // finish the job rather than leave the database without any admin token.
    const recorded = (await state.get(BOOTSTRAP_KEY)) as { tokenId?: string } | undefined;
    if (recorded?.tokenId) return undefined;
  }
  const { record, token } = await tokens.issue({
    name: "bootstrap-admin",
    scopes: ["admin"],
    namespaceSelectors: [".*"],
  });
  await state.set(BOOTSTRAP_KEY, {
    tokenId: record.id,
    issuedAt: record.issuedAt.toISOString(),
  });
  return token;
}
