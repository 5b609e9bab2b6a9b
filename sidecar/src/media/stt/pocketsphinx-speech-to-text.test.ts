import { describe, expect, it } from "vitest";
import { resample } from "../audio/sinc-resampler.ts";
import { FliteWasiTextToSpeech } from "../tts/flite-wasi-text-to-speech.ts";
import {
  checkPocketsphinx,
  PocketsphinxSpeechToText,
  pocketsphinxAvailable,
} from "./pocketsphinx-speech-to-text.ts";

const available = pocketsphinxAvailable();

describe("pocketsphinx presence check", () => {
  it("names the apt line when the model is missing", () => {
    expect(() => checkPocketsphinx({ modelDir: "/nonexistent/model" })).toThrow(
      /apt-get install -y pocketsphinx pocketsphinx-en-us/,
    );
  });
});

describe.skipIf(!available)(
  "PocketsphinxSpeechToText (needs: apt-get install -y pocketsphinx pocketsphinx-en-us)",
  () => {
    it("transcribes two flite utterances streamed as 48 kHz chunks, with stream-relative times", async () => {
      const tts = new FliteWasiTextToSpeech("rms");
      const first = await tts.synthesize("I would like to pay my bill please.");
      const second = await tts.synthesize("Thank you very much.");
      const gap = new Int16Array(16_000 * 2);
      const stream16 = new Int16Array(first.samples.length + gap.length + second.samples.length + gap.length);
      stream16.set(first.samples, 0);
      stream16.set(second.samples, first.samples.length + gap.length);
      const stream48 = resample(stream16, 16_000, 48_000);
      const stt = new PocketsphinxSpeechToText();
      const heard: string[] = [];
      stt.onSegment((s) => heard.push(s.text));
      for (let at = 0; at < stream48.length; at += 480) {
        stt.write({ samples: stream48.subarray(at, at + 480), sampleRate: 48_000 });
      }
      const segments = await stt.end();
      expect(heard).toEqual(segments.map((s) => s.text));
      const text = segments.map((s) => s.text).join(" ");
      expect(text).toMatch(/pay my bill/);
      expect(text).toMatch(/very much/);
      const secondStartMs = ((first.samples.length + gap.length) / 16_000) * 1000;
      const thank = segments.flatMap((s) => s.words).find((w) => w.startMs > secondStartMs - 100);
      // pocketsphinx word starts land within a few 10 ms frames of the true onset (notes: ≤ 24 ms).
      expect(thank).toBeDefined();
      expect(Math.abs((thank?.startMs ?? 0) - secondStartMs)).toBeLessThan(300);
    });
  },
);
