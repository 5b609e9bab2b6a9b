import { describe, expect, it } from "vitest";
import { interruptAfterMsByMove } from "./interrupt-plan.ts";

describe("interruptAfterMsByMove", () => {
  it("gives each action step's barge-in by move, skipping expect-only steps", () => {
    expect(
      interruptAfterMsByMove([
        { say: "hello" },
        { expect: "hi" },
        { say: "stop", interrupt_after_ms: 800 },
        { wait_ms: 100 },
        { end: true },
      ]),
    ).toEqual([undefined, 800, undefined, undefined]);
  });
});
