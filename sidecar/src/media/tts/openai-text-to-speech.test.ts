import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeSpeechProvider, startFakeSpeechProvider } from "../fake-speech-provider.ts";
import { OpenAiTextToSpeech } from "./openai-text-to-speech.ts";

let fake: FakeSpeechProvider;
beforeAll(async () => {
  fake = await startFakeSpeechProvider("k-1");
});
afterAll(() => fake.close());

describe("OpenAiTextToSpeech", () => {
  it("asks for pcm and reads it as 24 kHz s16le", async () => {
    const tts = new OpenAiTextToSpeech({ baseUrl: `${fake.baseUrl}/v1/`, apiKey: "k-1", voice: "nova" });
    const audio = await tts.synthesize("yes go ahead");
    expect(fake.requests.at(-1)).toEqual({
      path: "/v1/audio/speech",
      fields: { model: "tts-1", voice: "nova", input: "yes go ahead" },
    });
    expect(audio.sampleRate).toBe(24_000);
    // The fake returns 150 ms per word: 3 words = 10 800 samples, a 300 Hz tone at 8000 amplitude.
    expect(audio.samples.length).toBe(10_800);
    expect(audio.samples[20]).toBe(Math.round(8_000 * Math.sin((2 * Math.PI * 300 * 20) / 24_000)));
    expect(tts.name).toBe("openai/tts-1:nova");
  });

  it("fails with the provider's status on a bad key", async () => {
    const tts = new OpenAiTextToSpeech({ baseUrl: `${fake.baseUrl}/v1`, apiKey: "nope" });
    await expect(tts.synthesize("hello")).rejects.toThrow(/HTTP 401/);
  });
});
