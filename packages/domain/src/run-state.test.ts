import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  IllegalTransitionError,
  isTerminal,
  newRunState,
  RUN_RESULTS,
  type RunEvent,
  type RunState,
  type RunStatus,
  transition,
} from "./run-state.js";
import { catchError } from "./test-support.js";

const lease = new Date("2030-01-01T00:00:30Z");
const later = new Date("2030-01-01T00:01:00Z");
const held = { attempt: 1, runnerId: "r1", leaseUntil: lease };

const states: Record<RunStatus, RunState> = {
  QUEUED: { status: "QUEUED", attempt: 0 },
  ASSIGNED: { status: "ASSIGNED", ...held },
  RUNNING: { status: "RUNNING", ...held },
  CANCELLING: { status: "CANCELLING", ...held },
  FINISHED: { status: "FINISHED", attempt: 1, result: "PASS", runnerId: "r1" },
};

const events: Record<string, RunEvent> = {
  assign: { type: "assign", runnerId: "r2", attempt: 1, leaseUntil: later },
  start: { type: "start" },
  heartbeat: { type: "heartbeat", leaseUntil: later },
  "finish PASS": { type: "finish", result: "PASS" },
  "finish ERROR": { type: "finish", result: "ERROR", reason: "IMAGE_PULL" },
  cancel: { type: "cancel" },
  "lease_expired retry": { type: "lease_expired", canRetry: true },
  "lease_expired final": { type: "lease_expired", canRetry: false },
  release: { type: "release", reason: "DRAINING" },
};

// Every (status, event) pair: the expected next state, or "illegal".
const table: Record<RunStatus, Record<keyof typeof events, RunState | "illegal">> = {
  QUEUED: {
    assign: { status: "ASSIGNED", attempt: 1, runnerId: "r2", leaseUntil: later },
    start: "illegal",
    heartbeat: "illegal",
    "finish PASS": "illegal",
    "finish ERROR": { status: "FINISHED", attempt: 0, result: "ERROR", reason: "IMAGE_PULL" },
    cancel: { status: "FINISHED", attempt: 0, result: "CANCELLED" },
    "lease_expired retry": "illegal",
    "lease_expired final": "illegal",
    release: "illegal",
  },
  ASSIGNED: {
    assign: "illegal",
    start: { status: "RUNNING", ...held },
    heartbeat: { status: "ASSIGNED", ...held, leaseUntil: later },
    "finish PASS": { status: "FINISHED", attempt: 1, result: "PASS", runnerId: "r1" },
    "finish ERROR": { status: "FINISHED", attempt: 1, result: "ERROR", reason: "IMAGE_PULL", runnerId: "r1" },
    cancel: { status: "CANCELLING", ...held },
    "lease_expired retry": { status: "QUEUED", attempt: 1, reason: "RUNNER_LOST" },
    "lease_expired final": { status: "FINISHED", attempt: 1, result: "ERROR", reason: "RUNNER_LOST", runnerId: "r1" },
    release: { status: "QUEUED", attempt: 1, reason: "DRAINING" },
  },
  RUNNING: {
    assign: "illegal",
    start: "illegal",
    heartbeat: { status: "RUNNING", ...held, leaseUntil: later },
    "finish PASS": { status: "FINISHED", attempt: 1, result: "PASS", runnerId: "r1" },
    "finish ERROR": { status: "FINISHED", attempt: 1, result: "ERROR", reason: "IMAGE_PULL", runnerId: "r1" },
    cancel: { status: "CANCELLING", ...held },
    "lease_expired retry": { status: "QUEUED", attempt: 1, reason: "RUNNER_LOST" },
    "lease_expired final": { status: "FINISHED", attempt: 1, result: "ERROR", reason: "RUNNER_LOST", runnerId: "r1" },
    release: { status: "QUEUED", attempt: 1, reason: "DRAINING" },
  },
  CANCELLING: {
    assign: "illegal",
    start: { status: "CANCELLING", ...held },
    heartbeat: { status: "CANCELLING", ...held, leaseUntil: later },
    "finish PASS": { status: "FINISHED", attempt: 1, result: "PASS", runnerId: "r1" },
    "finish ERROR": { status: "FINISHED", attempt: 1, result: "ERROR", reason: "IMAGE_PULL", runnerId: "r1" },
    cancel: { status: "CANCELLING", ...held },
    "lease_expired retry": {
      status: "FINISHED",
      attempt: 1,
      result: "CANCELLED",
      reason: "RUNNER_LOST",
      runnerId: "r1",
    },
    "lease_expired final": {
      status: "FINISHED",
      attempt: 1,
      result: "CANCELLED",
      reason: "RUNNER_LOST",
      runnerId: "r1",
    },
    release: { status: "FINISHED", attempt: 1, result: "CANCELLED", reason: "DRAINING", runnerId: "r1" },
  },
  FINISHED: Object.fromEntries(Object.keys(events).map((name) => [name, "illegal" as const])),
};

describe("transition", () => {
  for (const [status, row] of Object.entries(table)) {
    for (const [name, expected] of Object.entries(row)) {
      const state = states[status as RunStatus];
      const event = events[name] as RunEvent;
      it(`${status} + ${name} → ${expected === "illegal" ? "illegal" : expected.status}`, () => {
        if (expected === "illegal") {
          const error = catchError(() => transition(state, event), IllegalTransitionError);
          expect(error.from).toBe(status);
          expect(error.event).toBe(event.type);
          expect(error.message).toContain(`cannot apply "${event.type}" to a ${status} run`);
        } else {
          expect(transition(state, event)).toEqual(expected);
        }
      });
    }
  }

  it("fences assignments by attempt number", () => {
    const requeued: RunState = { status: "QUEUED", attempt: 2, reason: "RUNNER_LOST" };
    expect(transition(requeued, { type: "assign", runnerId: "r", attempt: 3, leaseUntil: lease }).attempt).toBe(3);
    for (const attempt of [1, 2, 4]) {
      const error = catchError(
        () => transition(requeued, { type: "assign", runnerId: "r", attempt, leaseUntil: lease }),
        IllegalTransitionError,
      );
      expect(error.message).toContain(`attempt ${attempt} does not follow attempt 2`);
    }
  });

  it("lets the server finish a queued run only without an execution result", () => {
    for (const result of RUN_RESULTS) {
      const apply = () => transition(newRunState(), { type: "finish", result });
      if (result === "PASS" || result === "FAIL") expect(apply).toThrow(IllegalTransitionError);
      else expect(apply()).toEqual({ status: "FINISHED", attempt: 0, result });
    }
  });

  it("keeps the reason a run was cancelled for through CANCELLING to its end", () => {
    const replaced = transition(states.RUNNING, { type: "cancel", reason: "REPLACED" });
    expect(replaced).toEqual({ status: "CANCELLING", ...held, reason: "REPLACED" });
    const heartbeat = transition(replaced, { type: "heartbeat", leaseUntil: later });
    expect(transition(heartbeat, { type: "finish", result: "CANCELLED", reason: "SIGTERM" })).toEqual({
      status: "FINISHED",
      attempt: 1,
      result: "CANCELLED",
      reason: "REPLACED",
      runnerId: "r1",
    });
    // A run that ended on its own before the cancel reached it reports how it really ended.
    expect(transition(replaced, { type: "finish", result: "PASS" })).toMatchObject({ result: "PASS" });
    expect(transition(replaced, { type: "release", reason: "DRAINED" })).toMatchObject({ reason: "REPLACED" });
    expect(transition(states.QUEUED, { type: "cancel", reason: "REPLACED" })).toMatchObject({ reason: "REPLACED" });
  });

  it("never modifies its input", () => {
    const state = Object.freeze({ status: "RUNNING", ...held }) as RunState;
    expect(() => transition(state, { type: "heartbeat", leaseUntil: later })).not.toThrow();
    expect(state).toEqual({ status: "RUNNING", ...held });
  });

  it("rejects unknown events from untyped callers", () => {
    catchError(() => transition(states.RUNNING, { type: "explode" } as unknown as RunEvent), IllegalTransitionError);
  });
});

describe("transition properties", () => {
  const eventArbitrary: fc.Arbitrary<RunEvent> = fc.oneof(
    fc.record({
      type: fc.constant("assign" as const),
      runnerId: fc.constantFrom("r1", "r2"),
      attempt: fc.integer({ min: 0, max: 4 }),
      leaseUntil: fc.constant(lease),
    }),
    fc.constant({ type: "start" as const }),
    fc.constant({ type: "heartbeat" as const, leaseUntil: later }),
    fc.record({ type: fc.constant("finish" as const), result: fc.constantFrom(...RUN_RESULTS) }),
    fc.constant({ type: "cancel" as const }),
    fc.record({ type: fc.constant("lease_expired" as const), canRetry: fc.boolean() }),
  );

  it("no sequence of events leaves FINISHED, and attempts never go backwards", () => {
    fc.assert(
      fc.property(fc.array(eventArbitrary, { maxLength: 40 }), (sequence) => {
        let state = newRunState();
        let finishedOnce = false;
        for (const event of sequence) {
          let next: RunState;
          try {
            next = transition(state, event);
          } catch (error) {
            expect(error).toBeInstanceOf(IllegalTransitionError);
            continue;
          }
          expect(finishedOnce).toBe(false);
          expect(next.attempt).toBeGreaterThanOrEqual(state.attempt);
          state = next;
          finishedOnce = isTerminal(state.status);
        }
      }),
    );
  });
});
