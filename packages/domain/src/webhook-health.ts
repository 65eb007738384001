import type { RunResult } from "./run-state.js";
import type { WebhookEventName } from "./webhook-spec.js";

/** What the last finished run of a test (label set) said about it. */
export type TestHealth = "PASSING" | "FAILING";

/** The health after a run finished, and the event to send when it changed. */
export interface HealthStep {
  /** Undefined while nothing is known (only cancelled runs so far). */
  health: TestHealth | undefined;
  became?: Extract<WebhookEventName, `test.${string}`>;
}

/**
 * The health after a run of a test finished with `result`. PASS means passing; FAIL, ERROR and
 * TIMED_OUT mean failing; CANCELLED says nothing about the test and keeps the health. An event is
 * due only on a change: a first FAIL is a change (became_failing), a first PASS is not (a test is
 * presumed passing), so a flapping test sends one event per flip and a steady one none.
 */
export function nextTestHealth(previous: TestHealth | undefined, result: RunResult): HealthStep {
  if (result === "CANCELLED") return { health: previous };
  const health: TestHealth = result === "PASS" ? "PASSING" : "FAILING";
  if (health === "FAILING" && previous !== "FAILING") return { health, became: "test.became_failing" };
  if (health === "PASSING" && previous === "FAILING") return { health, became: "test.became_passing" };
  return { health };
}
