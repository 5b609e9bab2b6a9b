import { int16FromBytes, type PcmAudio } from "../audio/pcm.ts";
import { type ProviderEndpoint, postToProvider } from "../provider-http.ts";
import { checkTtsText, type TextToSpeech } from "./text-to-speech.ts";

/** `response_format: "pcm"` is headerless s16le mono at 24 kHz (OpenAI's documented format). */
const PCM_RATE = 24_000;

export interface OpenAiTtsOptions extends ProviderEndpoint {
  model?: string;
  voice?: string;
}

/** Provider TTS over an OpenAI-compatible `POST {base}/audio/speech` (base includes `/v1`). */
export class OpenAiTextToSpeech implements TextToSpeech {
  readonly name: string;

  constructor(private readonly options: OpenAiTtsOptions) {
    this.name = `openai/${options.model ?? "tts-1"}:${options.voice ?? "alloy"}`;
  }

  async synthesize(text: string, options?: { signal?: AbortSignal }): Promise<PcmAudio> {
    const body = await postToProvider(
      "openai speech",
      this.options,
      "/audio/speech",
      {
        headers: { authorization: `Bearer ${this.options.apiKey}`, "content-type": "application/json" },
        body: JSON.stringify({
          model: this.options.model ?? "tts-1",
          voice: this.options.voice ?? "alloy",
          input: checkTtsText(text),
          response_format: "pcm",
        }),
      },
      options?.signal,
    );
    if (body.length % 2 !== 0) throw new Error("openai speech: PCM response has an odd byte count");
    return { samples: int16FromBytes(body), sampleRate: PCM_RATE };
  }
}
