import { describe, expect, it } from "vitest";
import { speechBounds } from "../audio/speech-bounds.ts";
import { WorkerTextToSpeech } from "./worker-text-to-speech.ts";

describe("WorkerTextToSpeech", () => {
  it("synthesizes on a worker thread while the main thread keeps ticking", async () => {
    const tts = new WorkerTextToSpeech("rms");
    try {
      let ticks = 0;
      const timer = setInterval(() => ticks++, 5);
      const [a, b] = await Promise.all([
        tts.synthesize("Hello, I would like to pay my bill."),
        tts.synthesize("Thank you."),
      ]);
      clearInterval(timer);
      expect(a.sampleRate).toBe(16_000);
      expect(a.samples.length).toBeGreaterThan(b.samples.length);
      expect(speechBounds(a.samples)).toBeDefined();
      expect(ticks).toBeGreaterThan(0);
      await expect(tts.synthesize("  ")).rejects.toThrow("text is empty");
    } finally {
      await tts.close();
    }
  });
});
