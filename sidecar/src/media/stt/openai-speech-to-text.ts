import { z } from "zod";
import { durationMs, type PcmAudio } from "../audio/pcm.ts";
import { encodeWav } from "../audio/wav.ts";
import { type ProviderEndpoint, parseJsonBody, postToProvider } from "../provider-http.ts";
import type { SpeechToText, TranscriptSegment } from "./speech-to-text.ts";

const VerboseJsonSchema = z.object({
  text: z.string(),
  words: z
    .array(z.object({ word: z.string(), start: z.number().nonnegative(), end: z.number().nonnegative() }))
    .optional(),
});

export interface OpenAiSttOptions extends ProviderEndpoint {
  model?: string;
  language?: string;
}

/**
 * Provider STT over OpenAI-compatible `POST {base}/audio/transcriptions` (multipart). Word times
 * need `response_format=verbose_json` with `timestamp_granularities[]=word`; a server that omits
 * words still yields the text, spanning the whole clip.
 */
export class OpenAiSpeechToText implements SpeechToText {
  readonly name: string;
  readonly fidelity = "provider" as const;

  constructor(private readonly options: OpenAiSttOptions) {
    this.name = `openai/${options.model ?? "whisper-1"}`;
  }

  async transcribe(audio: PcmAudio, options?: { signal?: AbortSignal }): Promise<TranscriptSegment> {
    const form = new FormData();
    const wav = encodeWav({ sampleRate: audio.sampleRate, channels: 1, samples: audio.samples });
    form.append("file", new Blob([wav], { type: "audio/wav" }), "audio.wav");
    form.append("model", this.options.model ?? "whisper-1");
    form.append("response_format", "verbose_json");
    form.append("timestamp_granularities[]", "word");
    if (this.options.language) form.append("language", this.options.language);
    const body = await postToProvider(
      "openai transcriptions",
      this.options,
      "/audio/transcriptions",
      { headers: { authorization: `Bearer ${this.options.apiKey}` }, body: form },
      options?.signal,
    );
    const parsed = VerboseJsonSchema.safeParse(parseJsonBody("openai transcriptions", body));
    if (!parsed.success)
      throw new Error(`openai transcriptions: unexpected response: ${parsed.error.message}`);
    const words = (parsed.data.words ?? []).map((w) => ({
      word: w.word.trim(),
      startMs: Math.round(w.start * 1000),
      endMs: Math.round(w.end * 1000),
    }));
    return {
      text: parsed.data.text.trim(),
      startMs: words[0]?.startMs ?? 0,
      endMs: words.at(-1)?.endMs ?? durationMs(audio),
      words,
    };
  }
}
