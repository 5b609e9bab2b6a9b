import type { PcmAudio } from "../media/audio/pcm.ts";
import type { Clock } from "../media/clock.ts";
import type { AudioSpeechToTextStream, TranscriptSegment } from "../media/stt/speech-to-text.ts";
import { TextStreamTranscript } from "../media/stt/text-stream-transcript.ts";

/** Audio kept while it is unknown whether the agent publishes its words (then STT never runs). */
const MAX_BUFFERED_MS = 120_000;

/**
 * What the agent said, in words: its own `lk.transcription` text when it publishes one (exact),
 * else an offline speech-to-text stream over its received audio (low fidelity). The choice is
 * made at the end of the agent's first turn; audio until then is buffered so STT misses nothing.
 */
export class AgentWords {
  private readonly text: TextStreamTranscript;
  private readonly textQueue: TranscriptSegment[] = [];
  private readonly sttQueue: TranscriptSegment[] = [];
  private sawText = false;
  private stt: AudioSpeechToTextStream | undefined;
  private sttFailed = false;
  private buffered: { audio: PcmAudio; atMs: number }[] | undefined = [];
  private bufferedMs = 0;
  private sttBaseMs = 0;
  private words = 0;

  constructor(
    clock: Clock,
    private readonly makeStt?: () => AudioSpeechToTextStream | undefined,
  ) {
    this.text = new TextStreamTranscript(clock);
    this.text.onSegment((s) => this.textQueue.push(s));
  }

  onTranscription(segmentId: string, delta: string): void {
    this.sawText = true;
    this.text.append(segmentId, delta);
  }

  onTranscriptionEnd(segmentId: string): void {
    this.text.finish(segmentId);
  }

  /** Every sample the VAD hears, at its clock position (the AgentListener tap). */
  audio(audio: PcmAudio, atMs: number): void {
    if (this.stt) {
      this.stt.write(audio);
      return;
    }
    if (!this.buffered) return;
    this.buffered.push({ audio, atMs });
    this.bufferedMs += (audio.samples.length * 1000) / audio.sampleRate;
    while (this.bufferedMs > MAX_BUFFERED_MS && this.buffered.length > 0) {
      const dropped = this.buffered.shift();
      if (dropped) this.bufferedMs -= (dropped.audio.samples.length * 1000) / dropped.audio.sampleRate;
    }
  }

  /** At an agent turn's end: start STT if the agent has not published its words. */
  decide(): void {
    if (this.sawText || this.stt || !this.buffered || this.sttFailed) {
      if (this.sawText) this.buffered = undefined;
      return;
    }
    const stt = this.startStt();
    if (!stt) return;
    const first = this.buffered[0];
    this.sttBaseMs = first?.atMs ?? 0;
    for (const b of this.buffered) stt.write(b.audio);
    this.buffered = undefined;
  }

  /** Whether the words of speech ending at `speechEndMs` can be taken now. */
  caughtUp(speechEndMs: number): boolean {
    if (this.sawText || !this.stt) return true;
    const last = this.sttQueue.at(-1);
    return last !== undefined && this.sttBaseMs + last.endMs >= speechEndMs - 300;
  }

  /** The words that arrived since the last take, as one turn's text. */
  take(): string {
    const segments = this.sawText ? this.textQueue : this.sttQueue;
    const text = segments
      .splice(0)
      .map((s) => s.text)
      .join(" ")
      .trim();
    if (this.sawText) this.sttQueue.splice(0);
    this.words += text.split(/\s+/).filter(Boolean).length;
    return text;
  }

  get wordCount(): number | null {
    return this.source() ? this.words : null;
  }

  source(): { engine: string; fidelity: "exact" | "provider" | "low_fidelity" } | null {
    if (this.sawText) return { engine: this.text.name, fidelity: this.text.fidelity };
    if (this.stt) return { engine: this.stt.name, fidelity: this.stt.fidelity };
    return null;
  }

  async end(): Promise<void> {
    await this.text.end();
    if (this.stt) await this.stt.end().catch(() => undefined);
  }

  private startStt(): AudioSpeechToTextStream | undefined {
    try {
      const stt = this.makeStt?.();
      if (!stt) return undefined;
      stt.onSegment((s) => this.sttQueue.push(s));
      this.stt = stt;
      return stt;
    } catch {
      // No engine installed: the transcript says nothing rather than the call failing.
      this.sttFailed = true;
      return undefined;
    }
  }
}
