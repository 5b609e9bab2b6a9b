import { describe, expect, it } from "vitest";
import { checkMicrophoneOptions } from "./rtc-microphone.ts";

describe("checkMicrophoneOptions", () => {
  it("accepts 48 kHz with no queue and with a 2000 ms queue", () => {
    expect(() => checkMicrophoneOptions({ trackName: "mic", sampleRate: 48_000, queueMs: 0 })).not.toThrow();
    expect(() =>
      checkMicrophoneOptions({ trackName: "mic", sampleRate: 48_000, queueMs: 2_000 }),
    ).not.toThrow();
  });

  it("names the sample rate, its rule and the value when the rate is out of range", () => {
    expect(() => checkMicrophoneOptions({ trackName: "mic", sampleRate: 96_000, queueMs: 0 })).toThrow(
      "microphone.sampleRate: 96000 must be an integer from 8000 to 48000 Hz",
    );
    expect(() => checkMicrophoneOptions({ trackName: "mic", sampleRate: 44_100.5, queueMs: 0 })).toThrow(
      "microphone.sampleRate: 44100.5 must be an integer from 8000 to 48000 Hz",
    );
  });

  it("names the queue, its rule and the value when the queue is negative, fractional or too long", () => {
    for (const queueMs of [-1, 10.5, 2_001]) {
      expect(() => checkMicrophoneOptions({ trackName: "mic", sampleRate: 48_000, queueMs })).toThrow(
        `microphone.queueMs: ${queueMs} must be an integer from 0 to 2000 ms`,
      );
    }
  });
});
