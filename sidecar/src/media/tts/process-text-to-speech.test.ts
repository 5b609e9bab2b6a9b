import { describe, expect, it } from "vitest";
import { speechBounds } from "../audio/speech-bounds.ts";
import { ProcessTextToSpeech } from "./process-text-to-speech.ts";

describe("ProcessTextToSpeech", () => {
  it("synthesizes in a child process while this event loop keeps ticking", async () => {
    const tts = new ProcessTextToSpeech("rms");
    try {
      let ticks = 0;
      const timer = setInterval(() => ticks++, 5);
      const [a, b] = await Promise.all([
        tts.synthesize("Hello, I would like to pay my bill."),
        tts.synthesize("Thank you."),
      ]);
      clearInterval(timer);
      expect(a.sampleRate).toBe(16_000);
      expect(a.samples).toBeInstanceOf(Int16Array);
      expect(a.samples.length).toBeGreaterThan(b.samples.length);
      expect(speechBounds(a.samples)).toBeDefined();
      expect(ticks).toBeGreaterThan(0);
      await expect(tts.synthesize("  ")).rejects.toThrow("text is empty");
    } finally {
      await tts.close();
    }
  });
});
