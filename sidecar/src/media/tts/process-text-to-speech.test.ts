import { execFile } from "node:child_process";
import { promisify } from "node:util";
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

  it("keeps the TTS child's stderr free of Node's WASI ExperimentalWarning", async () => {
    // A fresh parent process whose stderr the child inherits: exactly what `spar run` prints.
    const module = JSON.stringify(new URL("./process-text-to-speech.ts", import.meta.url).pathname);
    const script = `
      import { ProcessTextToSpeech } from ${module};
      // The child is unref'd, so waiting for its exit holds nothing open: keep the loop alive.
      const keepAlive = setInterval(() => {}, 1000);
      const tts = new ProcessTextToSpeech("rms");
      const audio = await tts.synthesize("Hello there.");
      await tts.close();
      clearInterval(keepAlive);
      process.stdout.write(String(audio.sampleRate));
    `;
    const r = await promisify(execFile)(process.execPath, [
      "--import",
      "tsx",
      "--input-type=module",
      "-e",
      script,
    ]);
    expect(r.stdout).toBe("16000");
    expect(r.stderr).toBe("");
  });
});
