import type { PcmAudio } from "../media/audio/pcm.ts";
import type { VoiceActivity } from "../media/vad/voice-activity.ts";
import type { CallRecorder } from "../recording/call-recorder.ts";
import type { AgentSpeech } from "./agent-speech.ts";

/**
 * Everything the caller hears from the agent goes through here, onto one timeline: the recorder
 * places each chunk on the call clock, and the VAD (and the audio tap, e.g. STT) is fed exactly
 * the recorded samples — silence included where the recorder filled a gap — so VAD times plus
 * the first chunk's placement are positions in the agent's WAV file.
 */
export class AgentListener {
  private baseMs: number | undefined;
  private fedSamples = 0;
  private rate = 0;

  constructor(
    private readonly identity: string,
    private readonly recorder: CallRecorder,
    private readonly vad: VoiceActivity,
    private readonly speech: AgentSpeech,
    private readonly tap?: (audio: PcmAudio, atMs: number) => void,
  ) {}

  /** Clock ms of the first sample the VAD saw (undefined until audio arrives). */
  get startedAtMs(): number | undefined {
    return this.baseMs;
  }

  push(audio: PcmAudio, receivedAtMs: number): void {
    const placedMs = this.recorder.write(this.identity, audio, receivedAtMs);
    if (this.baseMs === undefined) {
      this.baseMs = placedMs;
      this.rate = audio.sampleRate;
    }
    const gap = Math.round(((placedMs - this.positionMs()) * this.rate) / 1000);
    if (gap > 0) this.feed({ samples: new Int16Array(gap), sampleRate: this.rate });
    this.feed(audio);
  }

  /** End of the call: closes a segment still open at its last speech frame. */
  flush(): void {
    if (this.baseMs === undefined) return;
    for (const e of this.vad.flush()) this.speech.apply(e, this.baseMs);
  }

  private positionMs(): number {
    return (this.baseMs ?? 0) + (this.fedSamples * 1000) / this.rate;
  }

  private feed(audio: PcmAudio): void {
    const atMs = this.positionMs();
    for (const e of this.vad.push(audio)) this.speech.apply(e, this.baseMs ?? 0);
    this.tap?.(audio, atMs);
    this.fedSamples += audio.samples.length;
  }
}
