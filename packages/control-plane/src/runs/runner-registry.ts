import type { Principal } from "@tstr/auth";
import { type HeldRun, type RunnerRecord, type RunnersRepository, renewLeases } from "@tstr/db";
import { formatSelector, selectorFromRegexMap, ValidationError, validateNamespaceSelector } from "@tstr/domain";
import type { RegisterRunnerRequest } from "@tstr/proto";
import type pg from "pg";
import { ForbiddenError } from "../errors.js";
import { parseSelectorField } from "../mapping/selector-field.js";
import type { TokenService } from "../tokens/token-service.js";

/**
 * Runner registration and liveness. Registering under an existing name reuses the runner's row;
 * a runner registering with a shared runner token gets a token bound to itself, so afterwards it
 * can only act on runs assigned to it.
 */
export function createRunnerRegistry(deps: {
  pool: pg.Pool;
  runners: RunnersRepository;
  tokens: TokenService;
  leaseMs: number;
}) {
  return {
    async register(
      principal: Principal,
      req: RegisterRunnerRequest,
    ): Promise<{ runner: RunnerRecord; runnerToken?: string }> {
      const registration = registrationFrom(req, principal);
      if (principal.runnerId) {
        const own = await deps.runners.getById(principal.runnerId);
        if (own && own.name !== registration.name) {
          throw new ValidationError([
            { path: "name", message: `this token belongs to runner "${own.name}"; register under that name` },
          ]);
        }
      } else {
        // A name stays with the token that registered it: another token cannot take it over.
        const existing = await deps.runners.getByName(registration.name);
        if (existing?.tokenId && existing.tokenId !== principal.tokenId && !principal.scopes.includes("admin")) {
          throw new ForbiddenError(
            `runner name "${registration.name}" belongs to a runner registered with another token`,
          );
        }
      }
      const runner = await deps.runners.register(registration);
      if (principal.runnerId === runner.id) return { runner };
      const { token } = await deps.tokens.issue({
        name: `runner:${runner.name}`,
        scopes: ["runner"],
        namespaceSelectors: principal.namespaceSelectors,
        runnerId: runner.id,
        issuer: principal,
      });
      return { runner, runnerToken: token };
    },

    /** Renews the leases of the runs the runner still holds; returns those runs. */
    async heartbeat(runner: RunnerRecord, held: HeldRun[], draining: boolean) {
      await deps.runners.heartbeat(runner.id, draining);
      return renewLeases(deps.pool, runner.id, held, deps.leaseMs);
    },
  };
}

export type RunnerRegistry = ReturnType<typeof createRunnerRegistry>;

function registrationFrom(req: RegisterRunnerRequest, principal: Principal) {
  const problems: { path: string; message: string }[] = [];
  const name = req.name.trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/.test(name)) {
    problems.push({ path: "name", message: "must be 1 to 200 letters, digits, '.', '_' or '-'" });
  }
  if (req.capacity > 1000) problems.push({ path: "capacity", message: "must be at most 1000" });
  req.namespaceSelectors.forEach((selector, i) => {
    const problem = validateNamespaceSelector(selector);
    if (problem) problems.push({ path: `namespace_selectors[${i}]`, message: problem });
  });
  if (problems.length) throw new ValidationError(problems);
  // tstr's selector maps (label → regex, all must match) become one selector each.
  const fromMap = (map: Record<string, string>, path: string) =>
    Object.keys(map).length ? [formatSelector(selectorFromRegexMap(map, path))] : [];
  const fromList = (texts: string[], path: string) =>
    texts.map((text, i) => formatSelector(parseSelectorField(text, `${path}[${i}]`)));
  return {
    name,
    namespaceSelectors: req.namespaceSelectors.length ? req.namespaceSelectors : principal.namespaceSelectors,
    labels: req.labels,
    acceptSelectors: [
      ...fromMap(req.acceptTestLabelSelectors, "accept_test_label_selectors"),
      ...fromList(req.acceptSelectors, "accept_selectors"),
    ],
    rejectSelectors: [
      ...fromMap(req.rejectTestLabelSelectors, "reject_test_label_selectors"),
      ...fromList(req.rejectSelectors, "reject_selectors"),
    ],
    capacity: req.capacity || 1,
    executors: req.executors,
    version: req.version,
    // The registering (shared) token owns the name; a runner's own bound token does not replace it.
    tokenId: principal.runnerId ? undefined : principal.tokenId,
  };
}
