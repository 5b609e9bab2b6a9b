import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeSpeechProvider, startFakeSpeechProvider } from "../fake-speech-provider.ts";
import { DeepgramSpeechToText } from "./deepgram-speech-to-text.ts";
import { OpenAiSpeechToText } from "./openai-speech-to-text.ts";

let fake: FakeSpeechProvider;
beforeAll(async () => {
  fake = await startFakeSpeechProvider("k-123");
});
afterAll(() => fake.close());

/** Two seconds of 16 kHz audio. */
const audio = { samples: new Int16Array(32_000).fill(300), sampleRate: 16_000 };

describe("OpenAiSpeechToText", () => {
  it("uploads WAV as multipart asking for word timestamps and returns words in ms", async () => {
    fake.heard = "please confirm the amount";
    const stt = new OpenAiSpeechToText({
      baseUrl: `${fake.baseUrl}/v1`,
      apiKey: "k-123",
      model: "whisper-1",
    });
    const seg = await stt.transcribe(audio);
    expect(fake.requests.at(-1)).toEqual({
      path: "/v1/audio/transcriptions",
      fields: { model: "whisper-1", response_format: "verbose_json", "timestamp_granularities[]": "word" },
      sampleRate: 16_000,
    });
    expect(seg.text).toBe("please confirm the amount");
    expect(seg.words.map((w) => [w.word, w.startMs, w.endMs])).toEqual([
      ["please", 0, 400],
      ["confirm", 500, 900],
      ["the", 1000, 1400],
      ["amount", 1500, 1900],
    ]);
    expect([seg.startMs, seg.endMs]).toEqual([0, 1900]);
  });

  it("reports the HTTP status and body on a bad key", async () => {
    const stt = new OpenAiSpeechToText({ baseUrl: `${fake.baseUrl}/v1`, apiKey: "wrong" });
    await expect(stt.transcribe(audio)).rejects.toThrow(/HTTP 401 .*bad key/);
  });
});

describe("DeepgramSpeechToText", () => {
  it("posts WAV to /v1/listen with a Token header and keeps confidence", async () => {
    fake.heard = "thank you";
    const stt = new DeepgramSpeechToText({ baseUrl: fake.baseUrl, apiKey: "k-123" });
    const seg = await stt.transcribe(audio);
    expect(fake.requests.at(-1)).toEqual({
      path: "/v1/listen",
      fields: { model: "nova-2", punctuate: "true" },
      sampleRate: 16_000,
    });
    expect(seg.text).toBe("thank you");
    expect(seg.words).toEqual([
      { word: "thank", startMs: 0, endMs: 800, confidence: 0.9 },
      { word: "you", startMs: 1000, endMs: 1800, confidence: 0.9 },
    ]);
  });

  it("refuses a response without the results shape", async () => {
    const stt = new DeepgramSpeechToText({
      baseUrl: fake.baseUrl,
      apiKey: "k-123",
      fetch: async () => new Response('{"results":{}}', { status: 200 }),
    });
    await expect(stt.transcribe(audio)).rejects.toThrow(/unexpected response/);
  });
});
