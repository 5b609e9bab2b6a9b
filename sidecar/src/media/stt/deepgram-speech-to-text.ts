import { z } from "zod";
import { durationMs, type PcmAudio } from "../audio/pcm.ts";
import { encodeWav } from "../audio/wav.ts";
import { type ProviderEndpoint, parseJsonBody, postToProvider } from "../provider-http.ts";
import type { SpeechToText, TranscriptSegment } from "./speech-to-text.ts";

const ListenSchema = z.object({
  results: z.object({
    channels: z
      .array(
        z.object({
          alternatives: z
            .array(
              z.object({
                transcript: z.string(),
                words: z.array(
                  z.object({
                    word: z.string(),
                    punctuated_word: z.string().optional(),
                    start: z.number().nonnegative(),
                    end: z.number().nonnegative(),
                    confidence: z.number().min(0).max(1),
                  }),
                ),
              }),
            )
            .min(1),
        }),
      )
      .min(1),
  }),
});

export interface DeepgramSttOptions extends ProviderEndpoint {
  model?: string;
  language?: string;
}

/** Provider STT over Deepgram's pre-recorded `POST {base}/v1/listen` (WAV body, words with times and confidence). */
export class DeepgramSpeechToText implements SpeechToText {
  readonly name: string;
  readonly fidelity = "provider" as const;

  constructor(private readonly options: DeepgramSttOptions) {
    this.name = `deepgram/${options.model ?? "nova-2"}`;
  }

  async transcribe(audio: PcmAudio, options?: { signal?: AbortSignal }): Promise<TranscriptSegment> {
    const query = new URLSearchParams({ model: this.options.model ?? "nova-2", punctuate: "true" });
    if (this.options.language) query.set("language", this.options.language);
    const wav = encodeWav({ sampleRate: audio.sampleRate, channels: 1, samples: audio.samples });
    const body = await postToProvider(
      "deepgram listen",
      this.options,
      `/v1/listen?${query}`,
      { headers: { authorization: `Token ${this.options.apiKey}`, "content-type": "audio/wav" }, body: wav },
      options?.signal,
    );
    const parsed = ListenSchema.safeParse(parseJsonBody("deepgram listen", body));
    if (!parsed.success) throw new Error(`deepgram listen: unexpected response: ${parsed.error.message}`);
    const best = parsed.data.results.channels[0]?.alternatives[0];
    const words = (best?.words ?? []).map((w) => ({
      word: w.punctuated_word ?? w.word,
      startMs: Math.round(w.start * 1000),
      endMs: Math.round(w.end * 1000),
      confidence: w.confidence,
    }));
    return {
      text: best?.transcript ?? "",
      startMs: words[0]?.startMs ?? 0,
      endMs: words.at(-1)?.endMs ?? durationMs(audio),
      words,
    };
  }
}
