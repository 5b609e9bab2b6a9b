import { describe, expect, it } from "vitest";
import { firstUnsureWindow } from "./silero-onnx-voice-activity.ts";

/**
 * Silero's probabilities for windows 655–672 of a live clean call (recorded from the sidecar's
 * stream): "Of course" starts in window 661, the model is sure only from 671 ("-urse").
 */
const OF_COURSE = [
  0.0, 0.0, 0.0, 0.0, 0.0, 0.0001, 0.0014, 0.2555, 0.2519, 0.4131, 0.4055, 0.2514, 0.084, 0.0919, 0.1617,
  0.0868, 0.6586, 0.9861,
];
const probabilityOf = (window: number) => OF_COURSE[window - 655] ?? 0;

describe("firstUnsureWindow", () => {
  it("goes back over the windows the model doubted, to the first one after background", () => {
    expect(firstUnsureWindow(probabilityOf, 671, 661)).toBe(662);
  });

  it("goes back no further than its limit (the previous segment, or how far it may search)", () => {
    expect(firstUnsureWindow(probabilityOf, 671, 666)).toBe(666);
  });

  it("stays at the first speech window when the window before it is background", () => {
    expect(firstUnsureWindow(probabilityOf, 662, 600)).toBe(662);
    expect(firstUnsureWindow((w) => (w === 670 ? 0.009 : 0.2), 671, 600)).toBe(671);
  });
});
