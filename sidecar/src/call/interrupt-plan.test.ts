import { describe, expect, it } from "vitest";
import { InterruptPlan } from "./interrupt-plan.ts";

describe("InterruptPlan", () => {
  it("finds the barge-in of the next action step, skipping expect-only steps", () => {
    const plan = new InterruptPlan([
      { say: "hello" },
      { expect: "hi" },
      { say: "stop", interrupt_after_ms: 800 },
      { wait_ms: 100 },
      { end: true },
    ]);
    expect(plan.nextInterruptMs()).toBeUndefined();
    plan.moveTaken();
    expect(plan.nextInterruptMs()).toBe(800);
    plan.moveTaken();
    expect(plan.nextInterruptMs()).toBeUndefined();
    plan.moveTaken();
    plan.moveTaken();
    plan.moveTaken();
    expect(plan.nextInterruptMs()).toBeUndefined();
  });
});
